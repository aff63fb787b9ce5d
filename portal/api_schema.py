"""What the OpenAPI schema promises, kept true for generated clients.

One `Problem` model for every error of every operation, input serializers that
refuse unknown fields, output fields that are always sent marked required, and
a postprocessing hook for what views do not declare one by one (error bodies,
headers, closed request objects, the order of components).
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path, e.g. items[0].hs_code.")
    message = serializers.CharField(help_text="What is wrong and how to fix it.")


class ProblemSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details; `errors` for invalid input."""

    type = serializers.URLField(help_text="A URL naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField(min_value=400, max_value=599)
    detail = serializers.CharField()
    errors = FieldErrorSerializer(
        many=True, required=False, help_text="For invalid input: one per field."
    )


PROBLEMS = {
    400: OpenApiResponse(
        ProblemSerializer, description="Invalid input, with field errors."
    ),
    401: OpenApiResponse(ProblemSerializer, description="Missing or unknown API key."),
    403: OpenApiResponse(ProblemSerializer, description="The key may not do this."),
}
NOT_FOUND = {
    404: OpenApiResponse(ProblemSerializer, description="Not in your organisation.")
}


# An input serializer that refuses fields it does not know: a misspelt optional
# field (`consigne_eori`) would otherwise be dropped and its default used, and
# the broker would learn of the typo only from a wrong outcome. (A comment, not
# a docstring: drf-spectacular would describe every input with it.)
class StrictInput(serializers.Serializer):

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                name: [
                    _(
                        "Unknown field. Check its spelling against the schema "
                        "(/api/docs/), or leave it out."
                    )
                ]
                for name in data
                if name not in self.fields
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError(exc.detail | unknown) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with two corrections.

    Output fields that have a default are required: DRF sends the default when
    the value is missing, so the field is always there. A decimal that may not
    be negative has a pattern without a minus sign.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular allows a minus sign in every decimal's pattern.
        if (
            isinstance(field, serializers.DecimalField)
            and field.min_value is not None
            and field.min_value >= 0
            and schema.get("pattern", "").startswith("^-?")
        ):
            schema["pattern"] = "^" + schema["pattern"][3:]
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "response":
            return schema
        required = list(schema.get("required", []))
        for field in force_instance(serializer).fields.values():
            if (
                not field.write_only
                and field.default is not empty
                and field.field_name not in required
                and field.field_name in schema.get("properties", {})
            ):
                required.append(field.field_name)
        if required:
            schema["required"] = required
        return schema


HEADER_ETAG = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "A hash of the answer; send it as If-None-Match to get a "
        "304 while nothing changed.",
    }
}
HEADER_REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present on the answer to a retry with the same "
        "Idempotency-Key and body: the first answer, replayed; nothing changed.",
    }
}
ACCEPT_LANGUAGE = {
    "in": "header",
    "name": "Accept-Language",
    "schema": {"type": "string", "example": "fr"},
    "description": "The language of messages (`en` by default, `fr`, `nl`, "
    "`zh-hans`). A declaration's issues keep the language of the request that "
    "submitted it.",
}
ALWAYS = {
    "401": "Missing or unknown API key.",
    "403": "The key may not do this.",
}
ERROR_DESCRIPTIONS = ALWAYS | {
    "400": "Invalid input, with field errors.",
    "404": "No such object in your organisation.",
    "409": "Not allowed in this status.",
}
WRITES = {"post", "patch", "put"}
FIRST = ("Problem", "FieldError")


def api_contract_hook(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook, run after every other.

    - Every 4xx and 5xx answer is application/problem+json with `Problem`, only;
      401 and 403 are declared on every operation, 404 on every path with an id.
    - GET answers declare ETag; POST and PATCH answers Idempotent-Replayed;
      every operation takes Accept-Language.
    - Request objects are closed (`additionalProperties: false`): the input
      serializers refuse unknown fields (StrictInput). Their defaults are said
      in words: openapi-typescript makes a field with a `default` required
      (its defaultNonNullable), while the API fills it in when it is left out.
    - `Problem` and `FieldError` come first among the components.
    """
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in ALWAYS.items():
                responses.setdefault(code, {"description": description})
            if "{" in path:
                responses.setdefault("404", {})
            for code, response in responses.items():
                if code >= "400":
                    response["description"] = response.get("description") or (
                        ERROR_DESCRIPTIONS.get(code, "An error; see `detail`.")
                    )
                    response["content"] = {
                        PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}
                    }
                if method == "get" and (code.startswith("2") or code == "304"):
                    response.setdefault("headers", {}).update(HEADER_ETAG)
                # Every answer below 500 is kept and replayed, but a 429.
                if method in WRITES and code < "500" and code != "429":
                    response.setdefault("headers", {}).update(HEADER_REPLAYED)
            operation["responses"] = dict(sorted(responses.items()))
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == "Accept-Language" for p in parameters):
                parameters.append(ACCEPT_LANGUAGE)
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
            for field in schema.get("properties", {}).values():
                _default_in_words(field)
    first = {name: schemas[name] for name in FIRST if name in schemas}
    if schemas:
        result["components"]["schemas"] = first | schemas
    return result


def _default_in_words(field: dict) -> None:
    if "default" not in field:
        return
    default = field.pop("default")
    shown = str(default).lower() if isinstance(default, bool) else default
    said = f"Default when left out: `{shown}`."
    field["description"] = f"{field['description']} {said}" if field.get(
        "description"
    ) else said
