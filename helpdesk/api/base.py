"""What every tenant API view shares: credentials, permission, rate limit, body limit, pagination.

Views stay thin adapters: parse input with an input serializer, look things up inside ``self.tenant``,
call one service or selector, render with an output serializer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api.auth import ApiActor, ApiKeyAuthentication, MembershipSessionAuthentication, api_actor
from helpdesk.api.parsers import body_size_check
from helpdesk.api.permissions import TenantAccess
from helpdesk.api.throttling import ApiClientThrottle
from helpdesk.errors import InvalidInput
from helpdesk.models import Membership, Tenant

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class ApiCursorPagination(CursorPagination):
    """Newest first by id, ``limit`` per page (default 50, at most 200: larger asks get 200)."""

    page_size = PAGE_SIZE
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def decode_cursor(self, request):
        invalid = exceptions.ValidationError({"cursor": ["This cursor is not valid."]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise invalid from exc
        if cursor is not None and cursor.position is not None and not str(cursor.position).isdigit():
            raise invalid
        return cursor


def acting_membership(actor: ApiActor, agent_id: int | None) -> Membership:
    """Who writes an agent's reply. A session writes as its own agent. A key acts as the tenant, not as a
    person, so it names the agent (``agent_id``, a user id of the tenant's members): replies claim the
    conversation, and only a person can be its assignee."""
    if actor.membership is not None:
        if agent_id is not None and agent_id != actor.membership.user_id:
            raise InvalidInput(
                "A session replies as its own agent.",
                fields={"agent_id": ["Leave it out, or give your own."]},
            )
        return actor.membership
    if agent_id is None:
        raise InvalidInput(
            "Replies made with an API key name the agent who writes them.",
            fields={"agent_id": ["This field is required with an API key."]},
        )
    membership = (
        Membership.objects.for_tenant(actor.tenant)
        .select_related("user", "tenant")
        .filter(user_id=agent_id)
        .first()
    )
    if membership is None:
        raise InvalidInput("No such agent.", fields={"agent_id": ["Not found."]})
    return membership


def tenant_ref(queryset: QuerySet, pk: Any, field: str) -> Model:
    """A row named in a request body: missing and another tenant's are one 400 on that field."""
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"{field}: not found.", fields={field: ["Not found."]}) from exc


# Base of every tenant API view; ``admin_writes`` / ``admin_only`` are read by ``TenantAccess``. (A comment,
# not a docstring: drf-spectacular would show a docstring as every operation's description.)
class TenantAPIView(APIView):
    authentication_classes = [ApiKeyAuthentication, MembershipSessionAuthentication]
    permission_classes = [TenantAccess]
    throttle_classes = [ApiClientThrottle]
    pagination_class = ApiCursorPagination
    admin_writes = False
    admin_only = False

    def initial(self, request, *args, **kwargs) -> None:
        body_size_check(request)
        super().initial(request, *args, **kwargs)

    @property
    def actor(self) -> ApiActor:
        return api_actor(self.request)

    @property
    def tenant(self) -> Tenant:
        return self.actor.tenant

    def serializer_context(self) -> dict:
        return {"request": self.request, "tenant": self.tenant, "view": self}

    def body(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> dict:
        """The validated request body (400 with the fields that are wrong)."""
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def query(self, serializer_class: type[serializers.Serializer]) -> dict:
        """The validated query parameters (unknown ones are ignored, as browsers and proxies add some)."""
        serializer = serializer_class(data=self.request.query_params, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}

    def page(self, queryset: QuerySet, serializer_class: type[serializers.Serializer]) -> Response:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(rows, many=True, context=self.serializer_context()).data
        return paginator.get_paginated_response(data)

    def output(self, serializer_class: type[serializers.Serializer], instance, status: int = 200) -> Response:
        return Response(serializer_class(instance, context=self.serializer_context()).data, status=status)
