"""A query's cost: how many objects it may resolve, from its list sizes, before it runs.

Each field that returns an object (or a list of them) costs the number of times it is
resolved: the product of the sizes of the lists above it. A list's size is its `first` (or
`last`) argument, from the document or its variables, else its declared default, else
`TRUEPPM_PAGE_SIZE_DEFAULT`; scalar fields and introspection are free. So
`tasks(first: 100) { nodes { assignments { units } } }` costs 1 + 100 + 100 = 201, and three
nested connections of 200 cost over eight million. An operation above `TRUEPPM_MAX_QUERY_COST`
is refused before it runs (`QUERY_TOO_COSTLY`), beside the depth and alias limits; a request
with `extensions: {"cost": true}` gets `extensions.cost = {requested, limit}` back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    is_object_type,
)
from strawberry.extensions import SchemaExtension

_SIZE_ARGUMENTS = ("first", "last")


def _is_list(field: GraphQLField) -> bool:
    kind = field.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


class CostModel:
    def __init__(self, schema: GraphQLSchema | None, default_size: int) -> None:
        self._schema = schema
        self.default_size = default_size

    @property
    def schema(self) -> GraphQLSchema:
        assert self._schema is not None, "the model's schema is set when the schema is built"
        return self._schema

    @schema.setter
    def schema(self, schema: GraphQLSchema) -> None:
        self._schema = schema

    def of_document(
        self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
    ) -> int:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            op
            for op in operations
            if operation_name is None or (op.name is not None and op.name.value == operation_name)
        ]
        if not chosen:
            return 0
        operation = chosen[0]
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        walk = _Walk(self, fragments, variables)
        return walk.selections(root, operation.selection_set, 1, frozenset())


class _Walk:
    def __init__(
        self,
        model: CostModel,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.model = model
        self.fragments = fragments
        self.variables = variables

    def selections(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        times: int,
        seen: frozenset[str],
        sized: bool = False,
    ) -> int:
        """`sized`: the selection is of a connection whose `first` was counted already (its
        `nodes`/`edges` lists hold that many, not a page more)."""
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node, times, seen, sized)
            elif isinstance(node, InlineFragmentNode):
                kind = parent
                if node.type_condition is not None:
                    kind = self.model.schema.get_type(node.type_condition.name.value) or parent
                total += self.selections(kind, node.selection_set, times, seen, sized)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports these
                    continue
                kind = self.model.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selections(kind, fragment.selection_set, times, seen | {name}, sized)
        return total

    def field(
        self,
        parent: GraphQLNamedType,
        node: FieldNode,
        times: int,
        seen: frozenset[str],
        sized: bool,
    ) -> int:
        name = node.name.value
        if name.startswith("__") or not (is_object_type(parent) or hasattr(parent, "fields")):
            return 0
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 0
        target = get_named_type(definition.type)
        if not is_composite_type(target):
            return 0
        counted = any(a in definition.args for a in _SIZE_ARGUMENTS)
        if sized and not counted and _is_list(definition):
            size = 1  # a connection's nodes/edges: its `first` already counted them
        else:
            size = self.size(definition, node)
        below = times * size
        return times + self.selections(target, node.selection_set, below, seen, counted)

    def size(self, definition: GraphQLField, node: FieldNode) -> int:
        for argument in _SIZE_ARGUMENTS:
            if argument not in definition.args:
                continue
            given = next((a for a in node.arguments or () if a.name.value == argument), None)
            value: Any = None
            if given is not None:
                if isinstance(given.value, IntValueNode):
                    value = int(given.value.value)
                elif isinstance(given.value, VariableNode):
                    value = self.variables.get(given.value.name.value)
            elif definition.args[argument].default_value is not None:
                value = definition.args[argument].default_value
            if isinstance(value, int) and value >= 0:
                return max(value, 1)
            return self.model.default_size
        return self.model.default_size if _is_list(definition) else 1


class QueryCost(SchemaExtension):
    """Refuses a valid operation above the limit; reports the cost when asked."""

    def __init__(self, model: CostModel, limit: int) -> None:
        self.model = model
        self.limit = limit
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        # Before the yield: Strawberry reads `pre_execution_errors` inside the validation
        # step. The validation memo (listed before this extension) has set them already.
        context = self.execution_context
        if not context.pre_execution_errors and context.graphql_document is not None:
            self.cost = self.model.of_document(
                context.graphql_document, context.operation_name, context.variables or {}
            )
            if self.cost > self.limit:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"this operation may resolve {self.cost} objects, more than the limit "
                        f"of {self.limit} (TRUEPPM_MAX_QUERY_COST): ask for smaller pages",
                        extensions={
                            "code": "QUERY_TOO_COSTLY",
                            "cost": self.cost,
                            "limit": self.limit,
                        },
                    )
                ]
        yield

    def get_results(self) -> dict[str, Any]:
        asked = (self.execution_context.operation_extensions or {}).get("cost")
        if asked is True and self.cost is not None:
            return {"cost": {"requested": self.cost, "limit": self.limit}}
        return {}
