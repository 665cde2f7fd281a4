"""API exceptions DRF lacks, answered as problem details like the rest (codes in tenantry_kernel.web.problems)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    """The request is valid but clashes with the current state (409), e.g. demoting the last owner."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class RequestTooLarge(APIException):
    """The request body is over the size limit (413); see tenantry_kernel.web.parsers."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this API accepts; send less at a time."
    default_code = "request_too_large"
