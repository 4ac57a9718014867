"""Validation once per query text: the depth and alias limits built once per schema, and
each text's validation errors kept in a bounded LRU.

Strawberry's `ValidationCache` keys its cache by (schema, document, rules). Its
`QueryDepthLimiter` and `MaxAliasesLimiter` extensions build a new rule *class* for every
operation (they are per-request factories), so the key never repeats and every request was
validated again — 19 % of the process's time under load (issue 20). Here the rules are made
once, when the schema is built, and the key is the query text with the operation's rules:
a repeated operation is neither parsed (Strawberry's `ParserCache`, keyed by the text) nor
validated again.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from app.lru import Lru

_Key = tuple[str, tuple[type[ASTValidationRule], ...]]


class ValidationMemo:
    """Validation errors per (query text, rules), least recently used dropped past
    `maxsize` (a public endpoint must not grow memory with unique texts)."""

    def __init__(
        self, max_depth: int, max_aliases: int, maxsize: int = 1000, *, introspection: bool = True
    ) -> None:
        self.rules: tuple[type[ASTValidationRule], ...] = (
            depth_rule(max_depth, None, None),
            alias_rule(max_aliases),
            *(() if introspection else (NoSchemaIntrospectionCustomRule,)),
        )
        self.known: Lru[_Key, list[GraphQLError]] = Lru(maxsize)
        self.validations = 0  # documents actually validated (tests count them)

    def errors(self, extension: SchemaExtension) -> list[GraphQLError]:
        context = extension.execution_context
        rules = (*context.validation_rules, *self.rules)
        key: _Key | None = (context.query, rules) if context.query else None
        if key is not None:
            found = self.known.get(key)
            if found is not None:
                return found
        assert context.graphql_document is not None
        found = validate_document(context.schema._schema, context.graphql_document, rules)
        self.validations += 1
        if key is not None:
            self.known.put(key, found)
        return found


class CachedValidation(SchemaExtension):
    """Validates an operation through the schema's `ValidationMemo`."""

    def __init__(self, memo: ValidationMemo) -> None:
        self.memo = memo

    def on_validate(self) -> Iterator[None]:
        self.execution_context.pre_execution_errors = self.memo.errors(self)
        yield
