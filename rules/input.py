"""CP0xx: reading the input. The loader finds these problems while it reads; these rules report
them, so they can be selected, ignored and explained like any other rule."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import Context, Issue, Phase, ProblemKind, Severity, rule


@rule("CP001", "unreadable-file", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def unreadable_file(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a file that cannot be read as a text template: an I/O error, UTF-16 or UTF-32 text, NUL
    bytes (a binary file), or characters YAML forbids (errors). Text that is not valid UTF-8 but
    reads as Latin-1 (a file saved as Windows-1252) is a warning, and the file is checked as Latin-1.
    A UTF-8 byte order mark is accepted.

    ## Why is this bad?
    The AWS CLI decodes a `file://` template with the machine's locale before it sends it: UTF-16
    (PowerShell's default) fails or arrives garbled, and a Latin-1 file deploys from one machine and
    fails on another.

    ## Example
    A template saved by an editor as "UTF-16 LE with BOM".

    ## Use instead
    Save the file as UTF-8.

    ## References
    - [documented] AWS CLI User Guide, "Loading AWS CLI parameters from a file"
      (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-file.html): "The file's
      encoding must match the reading system's default locale"; PowerShell writes UTF-16.
    - [reported] aws/aws-cli PR #2674 and aws/aws-cli#4134 - `UnicodeDecodeError` for a template passed
      with `--template-body file://` on a machine whose locale is not UTF-8.
    - [reported] amazon-archives/amazon-kinesis-data-visualization-sample#1 - CloudFormation: "Template
      validation error: Template contains invalid characters".
    - [reported] aws/aws-cdk#29792 - a template that starts with one UTF-8 byte order mark is accepted.
    """
    return ctx.load_problems(ProblemKind.UNREADABLE)


@rule("CP002", "syntax-error", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def syntax_error(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports YAML or JSON that does not parse, at the position the parser stopped.

    ## Why is this bad?
    AWS rejects the whole pack with a template validation error ("YAML not well-formed"), and
    shows only the first problem.

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

    ## References
    - [documented] AWS Knowledge Center, "How do I resolve template validation or template format
      errors in CloudFormation?" (https://repost.aws/knowledge-center/cloudformation-template-validation):
      "JSON not well-formed" and "YAML not well-formed".
    - [reported] aws-samples/csv-to-dynamodb#6 - "Template format error: YAML not well-formed. (line 96,
      column 65)".
    - [reported] Sceptre/sceptre#1087 - CloudFormation reads JSON templates with its YAML parser, so
      JSON that is only valid as YAML (CP008) is not a syntax error.
    """
    return ctx.load_problems(ProblemKind.SYNTAX)


@rule("CP003", "duplicate-key", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def duplicate_key(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a mapping key that appears twice in the same mapping, at any depth, at the second
    definition. Two different definitions are an error; two identical ones a warning.

    ## Why is this bad?
    CloudFormation does not reject duplicate keys: it keeps the last definition and silently drops
    the earlier one, so a rule, a parameter value or a whole resource you reviewed never deploys.
    Local YAML tools do the same, so the file looks fine everywhere.

    ## Example
    ```yaml
    Properties:
      ConfigRuleName: s3-bucket-logging
      ConfigRuleName: s3-bucket-versioning
    ```

    ## Use instead
    One key per mapping; split the content into two resources if both were meant.

    ## References
    - [documented] AWS CloudFormation User Guide, "Template anatomy": with duplicate sections
      "CloudFormation might accept the template, [but] it will have an undefined behavior ... and
      might incorrectly provision resources".
    - [reported] aws-cloudformation/cfn-language-discussion#96 - CloudFormation "will use the last
      resource definition for a given logical id instead of complaining".
    - [reported] aws/aws-cli#2404 - "update-stack and validate-template silently ignore duplicate
      resources keys"; aws-cloudformation/cfn-lint#35: the last definition is the one deployed.
    - [observed] ssc-spc-ccoe-cei/aws-guardrails-cac-solution `arch/templates/ConformancePack.yaml`
      (commit f10b3fc), an organization pack, repeats one rule's definition identically.
    """
    return ctx.load_problems(ProblemKind.DUPLICATE_KEY)


@rule("CP004", "not-a-template", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def not_a_template(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a file that parses but is not a conformance pack template: empty, a top level that is
    not a mapping, or no `Resources` mapping (errors). A second YAML document in the file is a
    warning, and only the first is checked.

    ## Why is this bad?
    AWS Config needs a CloudFormation-style template with a `Resources` section; AWS rejects an
    empty body and any other structure.

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

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack `TemplateBody`: minimum
      length 1; AWS Config Developer Guide, "Custom conformance pack": the file contains a
      `Parameters` and a `Resources` section.
    - [reported] aws/aws-cli#3238 - "Template format error: unsupported structure." for a body that is
      not a mapping; "At least one Resources member must be defined" (AWS Knowledge Center).
    - [inferred] No report says what AWS does with a second YAML document, hence a warning.
    """
    return ctx.load_problems(ProblemKind.NOT_A_TEMPLATE)


@rule("CP005", "unknown-tag", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def unknown_tag(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports YAML tags CloudFormation does not support: `!!binary`, `!!timestamp`, `!!set`, `!!omap`
    and `!!pairs` are errors; a local tag that is not a CloudFormation short form (`!Reference`) is a
    warning, and its value is checked as if it had no tag. The short forms (`!Ref`, `!Sub`, `!If`,
    `!Equals`, `!Not`, `!And`, `!Or`, `!Condition`, `!FindInMap`, `!GetAtt`, `!Join`, `!Select`,
    `!Split`, `!ImportValue`, `!Base64`, `!GetAZs`, `!Cidr`, ...) and the plain YAML types are fine.

    ## Why is this bad?
    CloudFormation documents that it does not support those YAML types; an unknown local tag is
    almost always a mistyped intrinsic function.

    ## Example
    ```yaml
    SourceIdentifier: !Reference RuleIdentifier
    ```

    ## Use instead
    ```yaml
    SourceIdentifier: !Ref RuleIdentifier
    ```

    ## References
    - [documented] AWS CloudFormation User Guide, "Template formats"
      (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html):
      CloudFormation "doesn't support ... the binary, omap, pairs, set, and timestamp tags".
    - [inferred] No public report shows what CloudFormation does with an unknown local tag, hence a
      warning.
    """
    return ctx.load_problems(ProblemKind.UNKNOWN_TAG)


@rule("CP007", "unsupported-yaml-feature", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
def unsupported_yaml_feature(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports YAML aliases (`*name`) and merge keys (`<<`), which CloudFormation's YAML parser does
    not support.

    ## Why is this bad?
    The template works in every local YAML tool and is rejected by CloudFormation ("YAML aliases
    are not allowed in CloudFormation templates").

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

    ## References
    - [documented] AWS CloudFormation User Guide, "Template formats": CloudFormation does not support
      "Aliases" or "Hash merges".
    - [reported] aws/serverless-application-model#228 - "Template error: YAML aliases are not allowed in
      CloudFormation templates".
    - [reported] aws/aws-cli PR #3827 - `aws cloudformation package` unrolls anchors because
      "CloudFormation won't accept templates that contain these"; `put-conformance-pack` sends the body
      unprocessed.
    """
    return ctx.load_problems(ProblemKind.UNSUPPORTED_YAML)


@rule("CP008", "not-strict-json", Severity.WARNING, tags=("input",), phase=Phase.REQUEST)
def not_strict_json(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a `.json` template that is not strict JSON but is valid YAML, such as one with a
    trailing comma, at the place strict JSON stops. The template is then read as YAML and checked
    in full.

    ## Why is this bad?
    AWS Config reads a pack's body as YAML, of which JSON is a subset, so AWS accepts it; but JSON
    tools (`jq`, `json.load`, editors) reject the file, and it only works by accident.

    ## Example
    ```json
    {"Resources": {"Rule": {"Type": "AWS::Config::ConfigRule", "Properties": {},}}}
    ```

    ## Use instead
    ```json
    {"Resources": {"Rule": {"Type": "AWS::Config::ConfigRule", "Properties": {}}}}
    ```

    ## References
    - [observed] awslabs/aws-config-rdk `rdk/template/configManagedRule.json` (commit 53dc915) has a
      trailing comma and shipped for four and a half years (2019-2023) as a template the RDK deploys.
    - [documented] YAML 1.2 specification, section 1.3 "Relation to JSON": YAML is a superset of JSON,
      and a YAML parser accepts the flow collection with a trailing comma.
    """
    return ctx.load_problems(ProblemKind.NOT_STRICT_JSON)


@rule("CP006", "input-over-safety-limits", Severity.ERROR, tags=("input",), phase=Phase.REQUEST, cfn_lint=("E0000",))
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

    ## References
    - [documented] AWS Config API Reference, PutOrganizationConformancePack: `TemplateBody` at most
      51,200 bytes, and `TemplateS3Uri` "max size: 300 KB", so no deployable template is over 4 MiB.
    - [documented] AWS CloudFormation User Guide, "Template formats": aliases are not supported, so an
      alias bomb is never deployable.
    - [inferred] The 100-level nesting bound is this tool's own; no AWS limit is published.
    """
    return ctx.load_problems(ProblemKind.OVER_LIMITS)


@rule("CP010", "hosted-pack-not-checked", Severity.INFO, tags=("input", "hosts"), phase=Phase.REQUEST)
def hosted_pack_not_checked(ctx: Context) -> Iterator[Issue]:
    """## What it does
    For a pack inside a CloudFormation stack (an `AWS::Config::ConformancePack` or
    `AWS::Config::OrganizationConformancePack` resource) or a Terraform file (an
    `aws_config_conformance_pack` or `aws_config_organization_conformance_pack` resource), says once
    that its template was not checked: a `TemplateBody` built with an intrinsic function other than
    `!Sub` (`Fn::Join`; a `!Sub` is read with the values the stack knows) or a Terraform expression,
    whose text is known only when the stack is deployed; a
    file `file()` names by an expression, or cannot read; a `.tf` file python-hcl2 cannot parse, or
    the terraform extra not installed.

    ## Why is this bad?
    Nothing is wrong with it; the pack's rules were not checked, and a passing run says nothing of them.

    ## Example
    ```yaml
    TemplateBody: !Join ["", [...]]
    ```

    ## Use instead
    A literal `TemplateBody` (the pack's text as a block), or the pack in a file of its own that the
    stack reads from S3 (`TemplateS3Uri`), checked as that file.

    ## References
    - [inferred] Not about AWS: what preflight could not read.
    """
    if ctx.request.body_unread is not None:
        yield Issue(
            f"the pack's TemplateBody was not checked: {ctx.request.body_unread}",
            ("TemplateBody",),
            fix="write the TemplateBody as a literal block, or keep the pack in a file of its own",
            where="request",
        )
