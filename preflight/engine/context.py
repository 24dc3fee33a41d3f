"""Everything a rule may read: the loaded template, the request, limits and quotas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from preflight.knowledge.reference import Reference
from preflight.knowledge.template import Template
from preflight.load.parsing import Loaded
from preflight.model.document import Document
from preflight.model.findings import START_OF_FILE, DocPath, Issue, Span
from preflight.model.limits import API_LIMITS, ApiLimits, Quotas
from preflight.model.problems import ProblemKind
from preflight.model.request import PackRequest
from preflight.model.values import scalar_text

if TYPE_CHECKING:
    from preflight.fix.edits import Editor
    from preflight.knowledge.catalog import Catalog
    from preflight.knowledge.config_rules import ConfigRuleView
    from preflight.knowledge.related import Related
    from preflight.model.facts import AwsFacts
    from preflight.model.spec import SpecSummary


@dataclass(eq=False, repr=False, frozen=True)
class Context:
    """`loaded` is None when only a request is checked (its template is in S3)."""

    loaded: Loaded | None
    request: PackRequest
    quotas: Quotas
    limits: ApiLimits = API_LIMITS
    facts: AwsFacts | None = None  # from the online pre-flight (check --online, deploy)
    spec: SpecSummary | None = None  # set only for the cross-pack rules of a spec file
    sent_body: str | None = None  # the body deploy sends, when it is not the template's text (minified)
    reference: Reference = field(default_factory=Reference)

    @property
    def document(self) -> Document | None:
        return self.loaded.document if self.loaded is not None else None

    @property
    def aws(self) -> AwsFacts:
        """The online pre-flight's facts: the online rules run only when there are some."""
        if self.facts is None:
            raise RuntimeError("an online rule ran without the online pre-flight's facts")
        return self.facts

    @property
    def is_template(self) -> bool:
        return self.loaded is not None and self.loaded.is_template

    @property
    def template_sent_inline(self) -> bool:
        """No S3 URI: the body travels as TemplateBody (the default when nothing says otherwise)."""
        return self.request.template_s3_uri is None and not self.request.other_sources

    def load_problems(self, kind: ProblemKind) -> Iterator[Issue]:
        if self.loaded is None:
            return
        for problem in self.loaded.problems:
            if problem.kind is kind:
                yield Issue(problem.message, fix=problem.fix, span=problem.span, severity=problem.severity)

    def position_in_value(self, path: DocPath, offset: int) -> Span:
        """Where character `offset` of the string at `path` is written in the file, when the string is
        written out there (not built by an intrinsic function); otherwise where the value starts."""
        document = self.document
        if document is None:
            return START_OF_FILE
        span = document.node_span(path)
        if span is None:
            return document.locate(path)
        value = document.value_at(path)
        if isinstance(value, str):
            from preflight.load.scalar_positions import character_position

            found = character_position(
                document.text, (span.line, span.column), (span.end_line, span.end_column), value, offset
            )
            if found is not None:
                return document.shift(Span(found[0], found[1], found[0], found[1] + 1))
        return document.shift(Span(span.line, span.column, span.line, span.column + 1))

    @cached_property
    def parameter_values(self) -> dict[str, str]:
        """What each template parameter will be: the request's value, else its Default."""
        values: dict[str, str] = {}
        if self.document is None or not isinstance(self.document.data, dict):
            return values
        template = Template(self.document.data, {}, {})
        for name, declaration in template.parameters.items():
            default = declaration.get("Default")
            if default is not None and not isinstance(default, (dict, list)):
                values[name] = scalar_text(default)
        values.update(self.request.values())
        return values

    @property
    def catalog(self) -> Catalog:
        return self.reference.catalog

    @cached_property
    def config_rules(self) -> tuple[ConfigRuleView, ...]:
        """Deployed config rules, resolved, with their catalog entries."""
        from preflight.knowledge.config_rules import config_rule_views

        return config_rule_views(self.template, self.catalog)

    @cached_property
    def editor(self) -> Editor | None:
        """Text edits of the template, for fixes; None unless it is a file of its own, parsed."""
        loaded, document = self.loaded, self.document
        if loaded is None or loaded.text is None or document is None or document.line_offset or document.column_offset:
            return None
        from preflight.fix.edits import Editor

        return Editor(loaded.text, document)

    @cached_property
    def related(self) -> Related:
        """Findings of two rules about one mistake (preflight.knowledge.related)."""
        from preflight.knowledge.related import Related

        return Related(self.template, self.config_rules)

    @cached_property
    def template(self) -> Template:
        assert self.document is not None and isinstance(self.document.data, dict)
        pseudo = _region_pseudo_parameters(self.request.region) if self.request.region else {}
        return Template(self.document.data, self.parameter_values, pseudo)


def _region_pseudo_parameters(region: str) -> dict[str, str]:
    if region.startswith("cn-"):
        partition, suffix = "aws-cn", "amazonaws.com.cn"
    elif region.startswith("us-gov-"):
        partition, suffix = "aws-us-gov", "amazonaws.com"
    else:
        partition, suffix = "aws", "amazonaws.com"
    return {"AWS::Region": region, "AWS::Partition": partition, "AWS::URLSuffix": suffix}
