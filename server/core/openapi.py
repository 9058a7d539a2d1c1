"""``GET /api/v1/openapi.json``: the API described from the marshmallow schemas (apispec)."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint

from server.core.engine import ENGINE

from server.core import schemas
from server.customers import schemas as customer_schemas
from server.quotes import api as quotes_api
from server.requests import rules_api as routing_api

bp = Blueprint("openapi", __name__)

BEARER = [{"bearer": []}]
ERRORS = {code: {"description": text, "content": {"application/json": {"schema": "Error"}}}
          for code, text in [(400, "malformed request"), (401, "no valid token; see `reason`"),
                             (403, "role or scope forbids it"), (409, "clock_skew"),
                             (410, "cursor_expired"), (413, "too large"),
                             (422, "invalid fields, listed in `errors`"),
                             (426, "client_outdated: update the app"), (429, "rate limited")]}


def json_body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def ok(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query(name, description, required=False, type_="string"):
    return {"in": "query", "name": name, "required": required, "description": description,
            "schema": {"type": type_}}


RULE_ID = {"in": "path", "name": "rule_id", "required": True, "schema": {"type": "integer"}}

EXPORT_FILTERS = [
    query("team", "route_to: sales, manufacturing, service, triage"),
    query("status", "a status, `open` (default: new, triaged, in_progress) or `all`"),
    query("customer_id", "one customer"),
    query("overdue", "true: only overdue; false: only those within target", type_="boolean"),
    query("min_age", "at least this many business days old", type_="integer")]

OPERATIONS = {
    "/auth/token": {"post": {
        "summary": "Sign in on a device and receive its bearer token",
        "security": [], "requestBody": json_body("Login"),
        "responses": {200: ok("Token"), 401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422], 429: ERRORS[429]}}},
    "/sync/push": {"post": {
        "summary": "Apply a batch of mutations (at most 500, 5 MB) in one transaction",
        "parameters": [{"in": "header", "name": "Genba-Protocol", "required": False,
                        "description": "the client's protocol version (default 1); too old → 426",
                        "schema": {"type": "integer"}}],
        "description": "Entities: " + ", ".join(ENGINE.entities),
        "security": BEARER, "requestBody": json_body("Push"),
        "responses": {200: ok("PushResult"), 400: ERRORS[400], 401: ERRORS[401],
                      409: ERRORS[409], 413: ERRORS[413], 426: ERRORS[426]}}},
    "/sync/pull": {"get": {
        "summary": "Changes in the user's scope after the cursor, in commit order",
        "security": BEARER,
        "parameters": [query("cursor", "opaque cursor from the last pull; none for the whole scope"),
                       query("limit", "changes per page", type_="integer"),
                       query("digest", "true: the last page carries a digest of the scope", type_="boolean")],
        "responses": {200: ok("Pull"), 400: ERRORS[400], 401: ERRORS[401], 410: ERRORS[410],
                      422: ERRORS[422], 426: ERRORS[426]}}},
    "/sync/digest": {"get": {
        "summary": "Digest of one entity's records in scope, by buckets of leading id digits",
        "security": BEARER,
        "parameters": [query("entity", "entity name", required=True),
                       query("prefix", "0 to 4 hex digits the ids start with")],
        "responses": {200: ok("BucketDigest"), 401: ERRORS[401], 422: ERRORS[422]}}},
    "/sync/range": {"get": {
        "summary": "The live records in scope of one entity whose ids start with a prefix",
        "security": BEARER,
        "parameters": [query("entity", "entity name", required=True),
                       query("prefix", "0 to 4 hex digits the ids start with")],
        "responses": {200: ok("Range"), 401: ERRORS[401], 413: ERRORS[413], 422: ERRORS[422]}}},
    "/routing/rules": {
        "get": {"summary": "The request routing rules in the order they are tried (office, manager, admin)",
                "security": BEARER,
                "responses": {200: ok("RuleList"), 401: ERRORS[401], 403: ERRORS[403]}},
        "post": {"summary": "Add a routing rule (office, admin)", "security": BEARER,
                 "requestBody": json_body("Rule"),
                 "responses": {201: ok("Rule"), 401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422]}}},
    "/routing/rules/{rule_id}": {
        "patch": {"summary": "Change or move a rule (office, admin)", "security": BEARER,
                  "parameters": [RULE_ID],
                  "requestBody": json_body("Rule"),
                  "responses": {200: ok("Rule"), 401: ERRORS[401], 403: ERRORS[403],
                                404: {"description": "no such rule"}, 422: ERRORS[422]}},
        "delete": {"summary": "Remove a rule (office, admin)", "security": BEARER,
                   "parameters": [RULE_ID],
                   "responses": {200: {"description": "removed"}, 401: ERRORS[401], 403: ERRORS[403],
                                 404: {"description": "no such rule"}}}},
    "/routing/test": {"post": {
        "summary": "Which rule would route a request with this text", "security": BEARER,
        "requestBody": json_body("RuleTrial"),
        "responses": {200: {"description": "route_to and the rule that fires"}, 401: ERRORS[401],
                      403: ERRORS[403], 422: ERRORS[422]}}},
    "/calendar": {"get": {
        "summary": "Japanese public holidays and the response target per urgency, in business days",
        "description": "Devices cache it to count request ages and overdue requests offline.",
        "security": BEARER,
        "parameters": [query("from", "first year (default last year)", type_="integer"),
                       query("to", "last year (default next year; at most 10 years)", type_="integer")],
        "responses": {200: ok("Calendar"), 401: ERRORS[401], 422: ERRORS[422]}}},
    "/requests/export.csv": {"get": {
        "summary": "The inbox as CSV for Excel: UTF-8 with BOM, Japanese headers (office, manager, admin)",
        "description": "Overdue first, then oldest first; open requests unless `status` says otherwise.",
        "security": BEARER, "parameters": EXPORT_FILTERS,
        "responses": {200: {"description": "text/csv; charset=utf-8, starting with a BOM",
                            "content": {"text/csv": {"schema": {"type": "string"}}}},
                      401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422]}}},
    "/requests/export.xlsx": {"get": {
        "summary": "The inbox as an Excel workbook, same rows and filters as the CSV (office, manager, admin)",
        "security": BEARER, "parameters": EXPORT_FILTERS,
        "responses": {200: {"description": "one sheet 依頼一覧 with Japanese headers",
                            "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                "schema": {"type": "string", "format": "binary"}}}},
                      401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422]}}},
    "/customers/search": {"get": {
        "summary": "Find customers by name, kana or phone (ids and names only)",
        "security": BEARER,
        "parameters": [query("q", "text to look for", required=True),
                       query("limit", "at most this many", type_="integer")],
        "responses": {200: ok("CustomerSearch"), 401: ERRORS[401], 422: ERRORS[422]}}},
    "/admin/dead-letters": {"get": {
        "summary": "Rejected mutations, newest first (admin)", "security": BEARER,
        "parameters": [query("limit", "at most this many", type_="integer")],
        "responses": {200: ok("DeadLetterList"), 401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422]}}},
    "/admin/devices/{device_id}/revoke": {"post": {
        "summary": "Revoke a device: its next sync wipes it (admin)", "security": BEARER,
        "parameters": [{"in": "path", "name": "device_id", "required": True, "schema": {"type": "string"}}],
        "responses": {200: {"description": "revoked"}, 401: ERRORS[401], 403: ERRORS[403],
                      404: {"description": "no such device"}}}},
    # Deals, ball and follow-up (issue 6)
    "/deals/export.csv": {"get": {
        "summary": "The manager's deal board as CSV for Excel: UTF-8 with BOM, Japanese headers (office, manager, admin)",
        "description": "Longest with the ball first; days are calendar days in Asia/Tokyo; open deals "
                       "unless `status=all`.",
        "security": BEARER,
        "parameters": [query("owner_id", "one rep's deals"),
                       query("stage", "one stage code"),
                       query("status", "`open` (default: not won or lost) or `all`"),
                       query("follow_up", "true: only deals needing follow-up", type_="boolean")],
        "responses": {200: {"description": "text/csv; charset=utf-8, starting with a BOM",
                            "content": {"text/csv": {"schema": {"type": "string"}}}},
                      401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422]}}},
    "/openapi.json": {"get": {
        "summary": "This description", "security": [],
        "responses": {200: {"description": "OpenAPI 3 document"}}}},
}

# --- attachments (issue 8): the bytes of an ``attachments`` record -----------------------
ATTACHMENT_ID = {"in": "path", "name": "attachment_id", "required": True,
                 "schema": {"type": "string", "format": "uuid"}}
NOT_FOUND = {"description": "no such attachment in your scope, or its bytes are not uploaded yet",
             "content": {"application/json": {"schema": "Error"}}}
OPERATIONS.update({
    "/attachments/{attachment_id}/content": {
        "get": {"summary": "The file's bytes (ETag: its SHA-256, cached for a year); HEAD answers "
                           "Upload-Offset, the bytes the server has", "security": BEARER,
                "parameters": [ATTACHMENT_ID],
                "responses": {200: {"description": "the bytes, as the record's content_type"},
                              304: {"description": "not modified (If-None-Match)"},
                              401: ERRORS[401], 404: NOT_FOUND}},
        "put": {"summary": "Send the file, or a part of it with Content-Range "
                           "('bytes 0-1023/4096'; 'bytes */4096' with no body to ask or finish); "
                           "the SHA-256 is checked when the last byte arrives", "security": BEARER,
                "parameters": [ATTACHMENT_ID,
                               {"in": "header", "name": "Content-Range", "required": False,
                                "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}},
                "responses": {200: {"description": "received, size, uploaded; the record once complete"},
                              400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403], 404: NOT_FOUND,
                              409: {"description": "offset_mismatch or upload_busy",
                                    "content": {"application/json": {"schema": "Error"}}},
                              413: ERRORS[413],
                              415: {"description": "unsupported_type: not JPEG, PNG, HEIC, WebP or "
                                                   "PDF, or not the record's content_type",
                                    "content": {"application/json": {"schema": "Error"}}},
                              422: {"description": "sha256_mismatch (the part is discarded) or size_mismatch",
                                    "content": {"application/json": {"schema": "Error"}}}}}},
    "/attachments/{attachment_id}/thumbnail": {"get": {
        "summary": "A JPEG thumbnail, longest side 320 px (a labelled placeholder for PDF and HEIC)",
        "security": BEARER, "parameters": [ATTACHMENT_ID],
        "responses": {200: {"description": "image/jpeg"}, 401: ERRORS[401], 404: NOT_FOUND}}},
})
# Past-quote database (issue 7).
OPERATIONS["/quotes/search"] = {"get": {
    "summary": "Search past quotes in Japanese (width, kana, case folded; synonyms; 2-character words)",
    "description": "Free text `q` and/or filters; neither answers no results. Each result says `why`.",
    "security": BEARER,
    "parameters": [query("q", "free text, up to 200 characters"), query("customer_id", "one customer"),
                   query("material", "material, synonyms included (ステンレス finds SUS304)"),
                   query("processing_method", "processing method, e.g. 旋盤"), query("product", "product name"),
                   query("drawing_no", "drawing number or part of it"),
                   query("length_min", "longest dimension at least (mm)", type_="number"),
                   query("length_max", "longest dimension at most (mm)", type_="number"),
                   query("submitted_from", "submitted on or after (YYYY-MM-DD, Japan)"),
                   query("submitted_to", "submitted on or before (YYYY-MM-DD, Japan)"),
                   query("limit", "at most this many (1-100, default 20)", type_="integer")],
    "responses": {200: ok("QuoteResults"), 400: ERRORS[400], 401: ERRORS[401]}}}
OPERATIONS["/quotes/{quote_id}/similar"] = {"get": {
    "summary": "Past quotes most like this one: material, method, dimensions, product, text; each with `why`",
    "security": BEARER,
    "parameters": [{"in": "path", "name": "quote_id", "required": True, "schema": {"type": "string"}},
                   query("limit", "at most this many (1-50, default 10)", type_="integer")],
    "responses": {200: ok("QuoteResults"), 400: ERRORS[400], 401: ERRORS[401],
                  404: {"description": "no such quote in your scope"}}}}

OPERATIONS["/customers/duplicates"] = {"get": {
    "summary": "Likely duplicates in your scope: folded name (without 株式会社 etc.), phone digits, "
               "email domain; each with `score` (0-1) and `why`",
    "security": BEARER,
    "parameters": [query("name", "a customer's name"), query("phone", "a phone number"),
                   query("email", "an email address")],
    "responses": {200: ok("Duplicates"), 401: ERRORS[401], 422: ERRORS[422]}}}
OPERATIONS["/customers/{customer_id}/merge"] = {"post": {
    "summary": "Merge this customer into another (office, manager, admin): its records move to "
               "the survivor, it becomes a tombstone with `merged_into`; later pushes naming it "
               "land on the survivor",
    "security": BEARER,
    "parameters": [{"in": "path", "name": "customer_id", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"content": {"application/json": {"schema": "Merge"}}},
    "responses": {200: {"description": "`{\"record\": the survivor}`"}, 401: ERRORS[401],
                  403: ERRORS[403], 404: {"description": "no such live customer"},
                  422: ERRORS[422]}}}

SCHEMAS = {"Rule": routing_api.RuleSchema, "RuleTrial": routing_api.TrialSchema,
           "RuleList": schemas.RuleListSchema, "Login": schemas.LoginSchema, "Token": schemas.TokenSchema,
           "Push": schemas.PushSchema, "PushResult": schemas.PushResultSchema,
           "Pull": schemas.PullSchema, "BucketDigest": schemas.BucketDigestSchema,
           "Range": schemas.RangeSchema, "CustomerSearch": schemas.CustomerSearchSchema,
           "DeadLetterList": schemas.DeadLetterListSchema,
           "Calendar": schemas.CalendarSchema, "Error": schemas.ErrorSchema,
           "QuoteResults": quotes_api.QuoteResultsSchema,
           "Duplicates": customer_schemas.DuplicatesSchema, "Merge": customer_schemas.MergeSchema}  # past-quote database


def build_spec():
    spec = APISpec(title="Genba sync API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    for name, entity in ENGINE.entities.items():
        if entity.schema is not None:
            spec.components.schema(f"{name}.changes", schema=type(entity.schema))
    for path, operations in OPERATIONS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    """Describe every endpoint of the API."""
    return build_spec()
