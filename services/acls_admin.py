"""The cluster side of `pakn acls`: SCRAM users and ACLs through confluent-kafka's admin
client (aiokafka's has neither). Synchronous: a command run by an administrator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from services.acls import Grant

TIMEOUT_S = 30.0
SCRAM_ITERATIONS = 8192


def _binding(grant: Grant, kind: type[AclBinding] | type[AclBindingFilter] = AclBinding) -> Any:
    return kind(
        ResourceType[grant.resource],
        grant.name,
        ResourcePatternType[grant.pattern],
        grant.principal,
        "*",
        AclOperation[grant.operation],
        AclPermissionType.ALLOW,
    )


def _grant(binding: AclBinding) -> Grant | None:
    """Our shape of a binding the cluster holds; None for what `pakn acls` never writes."""
    if binding.permission_type != AclPermissionType.ALLOW or binding.host != "*":
        return None
    names = tuple(
        getattr(value, "name", str(value))
        for value in (binding.restype, binding.resource_pattern_type, binding.operation)
    )
    if names[0] not in ("TOPIC", "GROUP") or names[1] not in ("LITERAL", "PREFIXED"):
        return None
    if names[2] not in ("READ", "WRITE", "DESCRIBE"):
        return None
    return Grant(
        binding.principal,
        cast(Any, names[0]),
        binding.name,
        cast(Any, names[1]),
        cast(Any, names[2]),
    )


class ClusterAdmin:
    def __init__(self, config: dict[str, str]) -> None:
        self._admin = AdminClient(dict[str, str | int | float | bool](config))

    def scram_users(self) -> set[str]:
        described = self._admin.describe_user_scram_credentials(request_timeout=TIMEOUT_S)
        result = described.result() if hasattr(described, "result") else described
        return set(result)

    def create_scram_user(self, name: str, password: bytes) -> None:
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        upsert = UserScramCredentialUpsertion(name, info, password)
        for future in self._admin.alter_user_scram_credentials([upsert]).values():
            future.result(timeout=TIMEOUT_S)

    def grants(self) -> list[Grant]:
        anything: Any = None  # a filter's None matches any name, principal or host
        every = AclBindingFilter(
            ResourceType.ANY,
            anything,
            ResourcePatternType.ANY,
            anything,
            anything,
            AclOperation.ANY,
            AclPermissionType.ANY,
        )
        bindings = self._admin.describe_acls(every, request_timeout=TIMEOUT_S).result()
        return [g for g in map(_grant, bindings) if g is not None]

    def add(self, grants: Iterable[Grant]) -> None:
        bindings = [_binding(g) for g in grants]
        if bindings:
            for future in self._admin.create_acls(bindings, request_timeout=TIMEOUT_S).values():
                future.result(timeout=TIMEOUT_S)

    def remove(self, grants: Iterable[Grant]) -> None:
        filters = [_binding(g, AclBindingFilter) for g in grants]
        if filters:
            for future in self._admin.delete_acls(filters, request_timeout=TIMEOUT_S).values():
                future.result(timeout=TIMEOUT_S)
