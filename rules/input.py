"""CP0xx: reading the input. The loader finds these problems while it reads; these rules report
them, so they can be selected, ignored and explained like any other rule."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.rule import rule


@rule("CP001", "unreadable-file", Severity.ERROR, tags=("input",), needs_template=False)
def unreadable_file(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a file that cannot be read as UTF-8 text: an I/O error, bytes that are not valid UTF-8,
    UTF-16 or UTF-32 text, NUL bytes (a binary file), or characters YAML forbids.

    ## Why is this bad?
    AWS Config reads a template body as UTF-8 text. Anything else is rejected by the API or, worse,
    silently garbled before CloudFormation parses it.

    ## Example
    A template saved by an editor as "UTF-16 LE with BOM".

    ## Use instead
    Save the file as UTF-8 (a UTF-8 byte order mark is accepted).
    """
    return ctx.load_problems("CP001")


@rule("CP002", "syntax-error", Severity.ERROR, tags=("input",), needs_template=False)
def syntax_error(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports YAML or JSON that does not parse, at the position the parser stopped.

    ## Why is this bad?
    AWS rejects the whole pack with a template validation error, and the console shows only the
    first problem.

    ## Example
    ```yaml
    Resources:
      Rule: [AWS::Config::ConfigRule
    ```

    ## Use instead
    ```yaml
    Resources:
      Rule:
        Type: AWS::Config::ConfigRule
    ```
    """
    return ctx.load_problems("CP002")


@rule("CP003", "duplicate-key", Severity.ERROR, tags=("input",), needs_template=False)
def duplicate_key(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a mapping key that appears twice in the same mapping, at any depth.

    ## Why is this bad?
    CloudFormation rejects templates with duplicate keys; many YAML tools silently keep the last
    value, so the file looks fine everywhere else.

    ## Example
    ```yaml
    Properties:
      ConfigRuleName: s3-bucket-logging
      ConfigRuleName: s3-bucket-versioning
    ```

    ## Use instead
    One key per mapping; split the content into two resources if both were meant.
    """
    return ctx.load_problems("CP003")


@rule("CP004", "not-a-template", Severity.ERROR, tags=("input",), needs_template=False)
def not_a_template(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a file that parses but is not a conformance pack template: empty, a top level that is
    not a mapping, no `Resources` mapping, or more than one YAML document.

    ## Why is this bad?
    AWS Config needs a CloudFormation-style template with a `Resources` section.

    ## Example
    ```yaml
    - AWS::Config::ConfigRule
    ```

    ## Use instead
    ```yaml
    Resources:
      S3BucketVersioningEnabled:
        Type: AWS::Config::ConfigRule
        Properties:
          Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
    ```
    """
    return ctx.load_problems("CP004")


@rule("CP005", "unknown-tag", Severity.ERROR, tags=("input",), needs_template=False)
def unknown_tag(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a YAML tag that is not a CloudFormation short form (`!Ref`, `!Sub`, `!If`, `!Equals`,
    `!Not`, `!And`, `!Or`, `!Condition`, `!FindInMap`, `!GetAtt`, `!Join`, `!Select`, `!Split`,
    `!ImportValue`, `!Base64`, `!GetAZs`, `!Cidr`, ...) or a plain YAML type, including the YAML types
    CloudFormation does not support (`!!binary`, `!!timestamp`, `!!set`, `!!omap`, `!!pairs`).

    ## Why is this bad?
    CloudFormation rejects the template ("unknown tag" or "template format error").

    ## Example
    ```yaml
    SourceIdentifier: !Reference RuleIdentifier
    ```

    ## Use instead
    ```yaml
    SourceIdentifier: !Ref RuleIdentifier
    ```
    """
    return ctx.load_problems("CP005")


@rule("CP007", "unsupported-yaml-feature", Severity.ERROR, tags=("input",), needs_template=False)
def unsupported_yaml_feature(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports YAML aliases (`*name`) and merge keys (`<<`), which CloudFormation's YAML parser does
    not support.

    ## Why is this bad?
    The template works in every local YAML tool and fails in CloudFormation, in each member
    account.

    ## Example
    ```yaml
    Defaults: &defaults {Owner: AWS}
    ...
      Source:
        <<: *defaults
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
    ```

    ## Use instead
    ```yaml
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
    ```
    """
    return ctx.load_problems("CP007")


@rule("CP006", "input-over-safety-limits", Severity.ERROR, tags=("input",), needs_template=False)
def input_over_safety_limits(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports input this tool refuses to expand: a file over 4 MiB, nesting deeper than 100 levels, or
    YAML aliases that would expand to more than 10,000 nodes (an alias bomb such as "billion
    laughs").

    ## Why is this bad?
    No deployable conformance pack comes near these limits (AWS takes at most 300 KB), and
    expanding such input would exhaust memory in a CI gate or an editor.

    ## Example
    ```yaml
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    ## Use instead
    Write the template out; CloudFormation does not support YAML aliases anyway.
    """
    return ctx.load_problems("CP006")
