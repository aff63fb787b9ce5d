"""Cursor pagination: stable while new declarations arrive, and no COUNT(*)."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema: dict) -> dict:
        # DRF's example link ends in a stray quote, which no `uri` validates.
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": link
                | {"example": "https://portal.example/api/v1/declarations/?cursor=cD00"},
                "previous": link,
                "results": schema,
            },
        }
