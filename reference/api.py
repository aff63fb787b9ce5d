"""Reference data in the broker API: search the HS nomenclature."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api_pagination import CursorPagination
from reference.models import HsCode
from reference.selectors import hs_search


class HsCodeOutput(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.IntegerField(help_text="2 chapter, 4 heading, 6 subheading.")
    description = serializers.CharField()
    parent_code = serializers.CharField()
    edition = serializers.CharField()


class HsSearchInput(serializers.Serializer):
    q = serializers.CharField(
        min_length=2, max_length=100, help_text="A code prefix or words."
    )
    level = serializers.ChoiceField(choices=[2, 4, 6], required=False)


class HsPagination(CursorPagination):
    ordering = ("code", "id")
    page_size = 25


class HsSearch(GenericAPIView):
    serializer_class = HsCodeOutput
    queryset = HsCode.objects.none()
    pagination_class = HsPagination

    @extend_schema(
        operation_id="reference_hs_search",
        summary="Search the HS nomenclature in force",
        description="`q` of digits finds codes starting with them (dots and spaces "
        "ignored, e.g. 6109 or 61.09); words find descriptions containing all of "
        "them (e.g. `cotton t-shirts`).",
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("level", int, enum=[2, 4, 6]),
        ],
        responses={
            200: HsCodeOutput(many=True),
            400: OpenApiResponse(description="`q` or `level` is invalid."),
            401: OpenApiResponse(description="Missing or unknown API key."),
        },
    )
    def get(self, request: Request) -> Response:
        query = HsSearchInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = hs_search(
            text=query.validated_data["q"],
            on=timezone.localdate(),
            level=query.validated_data.get("level"),
        )
        page = self.paginate_queryset(results)
        return self.get_paginated_response(HsCodeOutput(page, many=True).data)
