"""CP410, CP414, CP415: account ids: in ARNs (written out or built from parameters), placeholders left
where a value belongs, and the ids AWS's documentation uses as examples."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from preflight.api import PARAMETERS_KEY, Context, DocPath, Issue, Severity, intrinsic_name, rule

# In a traced string, a parameter's value is `\x01Name\x01` and anything unknowable `\x02`.
_PARAMETER_MARK = "\x01"
_UNKNOWN_MARK = "\x02"
_PARAMETER = re.compile("\x01([^\x01]*)\x01")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# The account field may hold anything but a colon: placeholders have spaces and brackets.
_ARN = re.compile(r"arn:(?:aws[a-z-]*|[\x01\x02][^:\n]*):[^:\s]*:[^:\s]*:([^:\n]*):")
_ACCOUNT = re.compile(r"\d{12}")
# "aws" owns AWS managed policies (arn:aws:iam::aws:policy/...); "*" is a wildcard in patterns.
_NOT_ACCOUNTS = frozenset({"", "aws", "*"})
_COMPOSERS = ("Fn::Sub", "Fn::Join")


def is_bad_account(account: str) -> bool:
    """Not a 12-digit account id, nor a field that legitimately holds none."""
    return account.strip() not in _NOT_ACCOUNTS and not _ACCOUNT.fullmatch(account)


def bad_account_ids(text: str) -> list[str]:
    """Account fields of the ARNs in `text` that are not 12 digits; `${...}` variables are skipped."""
    flattened = _VARIABLE.sub(_UNKNOWN_MARK, text)
    return [
        account
        for account in _ARN.findall(flattened)
        if _UNKNOWN_MARK not in account and _PARAMETER_MARK not in account and is_bad_account(account)
    ]


@rule("CP410", "invalid-account-id-in-arn", Severity.ERROR, tags=("template", "content"))
def invalid_account_id_in_arn(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an ARN whose account field is not a 12-digit account id, whatever it holds instead
    (`<Account-Id>`, `accountid`, `[[ Replace with AWS Master Account ]]`), in a resource property,
    a parameter's `Default` or an input parameter of the request. An ARN built with `Fn::Sub` or
    `Fn::Join` is checked as it will be built: when its account field is a parameter whose value is
    a placeholder, the finding is where that value comes from (the `Default`, or the request).
    It is an error where AWS Config acts on the ARN when it creates the pack (a custom rule's
    `SourceIdentifier`, a remediation's `AutomationAssumeRole`), a warning elsewhere (a rule's
    input, which is then evaluated against nothing). Intrinsic functions that cannot be known
    offline (`${AWS::AccountId}`, `Fn::ImportValue`) and descriptions are not checked. The other
    checks of an ARN's form (CP409, CP211) leave the account field to this rule.

    ## Why is this bad?
    The ARN names nothing: AWS Config cannot invoke the custom rule's Lambda function and the rule
    fails to create in every account, or the remediation's role cannot be assumed.

    ## Example
    ```yaml
    Values: ["arn:aws:iam::<Account-Id>:role/S3OperationsAutomationsExecutionRole"]
    ```

    ## Use instead
    The ARN with the 12-digit id of your account; for an organization pack's `AutomationAssumeRole`,
    the management account's (AWS Config puts each member's own id in its place).

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs": give the exact ARN
      of the automation role, and "While using example templates, update your Account ID and
      management account ID for organization".
    - [documented] AWS Config API Reference, InsufficientPermissionsException: "The AWS Lambda function
      <arn> cannot be invoked. Check the specified function ARN, and check the function's permissions."
      (reported in cloud-custodian/cloud-custodian#3530); AWS Config checks the function when it
      creates the rule.
    - [observed] AWS's "with-Remediation" sample packs ship `<Account-Id>` placeholders in
      `AutomationAssumeRole` ARNs, which the documentation tells users to replace.
    """
    template = ctx.template
    overridden = ctx.request.values()
    for path, text in template.strings:
        if "arn:" not in text or "Description" in path or "Fn::Join" in path:
            continue
        in_resources = path[:1] == ("Resources",)
        default_of = path[1] if path[:1] == ("Parameters",) and path[2:] == ("Default",) else None
        if not in_resources and (default_of is None or default_of in overridden):
            continue
        critical = _is_critical(path) if in_resources else _feeds_critical(ctx, str(default_of))
        for account in bad_account_ids(text):
            yield Issue(
                f"account id {account!r} in ARN is not a 12-digit account id",
                path,
                fix="replace the placeholder with the real account id",
                severity=None if critical else Severity.WARNING,
            )
    for index, parameter in enumerate(ctx.request.parameters):
        for account in bad_account_ids(parameter.value) if "arn:" in parameter.value else ():
            yield Issue(
                f"account id {account!r} in the ARN given for {parameter.name} is not a 12-digit account id",
                (PARAMETERS_KEY, index, "ParameterValue"),
                fix="replace the placeholder with the real account id",
                where="request",
                severity=None if _feeds_critical(ctx, parameter.name) else Severity.WARNING,
            )
    yield from _built_arns(ctx)


def _is_critical(path: DocPath) -> bool:
    """An ARN AWS Config acts on when it creates the pack: a custom rule's Lambda function, or a
    remediation's role. A placeholder elsewhere (a rule's input) is only evaluated wrongly."""
    return "SourceIdentifier" in path or "AutomationAssumeRole" in path


def _feeds_critical(ctx: Context, parameter: str) -> bool:
    return any(name == parameter and _is_critical(path) for name, path in ctx.template.references)


def _built_arns(ctx: Context) -> Iterator[Issue]:
    """ARNs that `Fn::Sub` and `Fn::Join` build: a literal account in pieces (`Fn::Join`), or a
    parameter's value as the account field, reported once per parameter where its value comes from."""
    template = ctx.template
    uses: dict[str, list[DocPath]] = {}
    for path, function, argument in template.intrinsic_calls:
        if function not in _COMPOSERS or path[:1] != ("Resources",) or any(part in _COMPOSERS for part in path):
            continue
        traced = _trace({function: argument}, template.parameters)
        for account in _ARN.findall(traced):
            if _UNKNOWN_MARK in account:
                continue
            parameter = _PARAMETER.fullmatch(account)
            if parameter is not None:
                uses.setdefault(parameter.group(1), []).append(path + (function,))
            elif function == "Fn::Join" and _PARAMETER_MARK not in account and is_bad_account(account):
                yield Issue(
                    f"account id {account!r} in the ARN that Fn::Join builds is not a 12-digit account id",
                    path + (function,),
                    fix="replace the placeholder with the real account id",
                    severity=None if _is_critical(path) else Severity.WARNING,
                )
    given = {parameter.name: index for index, parameter in enumerate(ctx.request.parameters)}
    for name, paths in uses.items():
        value = ctx.parameter_values.get(name)
        if value is None or not is_bad_account(value) or name in template.list_parameters:
            continue
        line = ctx.document.locate(paths[0]).line if ctx.document is not None else 0
        more = f" (and {len(paths) - 1} more)" if len(paths) > 1 else ""
        message = (
            f"parameter {name!r} is {value!r}, not a 12-digit account id, and it is the account id of the ARN "
            f"built on line {line}{more}"
        )
        severity = None if any(_is_critical(path) for path in paths) else Severity.WARNING
        if name in given:
            yield Issue(message, (PARAMETERS_KEY, given[name], "ParameterValue"), where="request", severity=severity)
        else:
            fix = f"pass --param {name}=<12-digit account id>"
            yield Issue(message, ("Parameters", name, "Default"), fix=fix, severity=severity)


def _trace(value: object, parameters: Mapping[str, object], local: Mapping[str, object] | None = None) -> str:
    """The string `value` builds, with each template parameter's value as a mark that names it and
    anything unknowable as another mark."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    function = intrinsic_name(value)
    argument = value[function] if function is not None and isinstance(value, dict) else None
    if function == "Ref" and isinstance(argument, str) and argument in parameters:
        return f"{_PARAMETER_MARK}{argument}{_PARAMETER_MARK}"
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, items = argument
        if isinstance(delimiter, str) and isinstance(items, list):
            return delimiter.join(_trace(item, parameters) for item in items)
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else (None, {})
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            text = argument[0]
            variables = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
        if text is not None:
            return _VARIABLE.sub(lambda match: _substitute(match.group(1), parameters, variables), text)
    return _UNKNOWN_MARK


def _substitute(name: str, parameters: Mapping[str, object], variables: Mapping[str, object]) -> str:
    if name.startswith("!"):
        return "${" + name[1:] + "}"
    name = name.strip()
    if name in variables:
        return _trace(variables[name], parameters)
    if name in parameters:
        return f"{_PARAMETER_MARK}{name}{_PARAMETER_MARK}"
    return _UNKNOWN_MARK


# A whole value (or one item of a comma-separated one) that stands for something to fill in.
_PLACEHOLDER = (
    r"\s*(?:<[^<>\n]{1,100}>|\[\[[^\n]{1,100}\]\]"
    # Bare words only in capitals: `AccountId` is a fine tag key, `ACCOUNT_ID` a placeholder.
    r"|(?i:x{12})|(?:YOUR_?)?(?:AWS_?)?ACCOUNT_?(?:ID|NUMBER)|REPLACE_?ME)\s*"
)
_ACCOUNT_WORDS = ("account", "acct")
# The ids AWS's documentation uses in its examples: they name nobody's resources.
EXAMPLE_ACCOUNTS = frozenset({"123456789012", "012345678901", "111122223333", "444455556666", "777788889999"})


def _values(ctx: Context) -> Iterator[tuple[DocPath, str, bool]]:
    """Every string the pack deploys with, its path and whether it is a request value: resource
    properties (descriptions and Guard policies aside), the `Default` of each parameter the request
    does not give, and the request's input parameters."""
    given = ctx.request.values()
    for path, text in ctx.template.strings:
        if path[:1] == ("Resources",):
            if "Description" in path or "PolicyText" in path or "Metadata" in path:
                continue
        elif not (path[:1] == ("Parameters",) and path[2:] == ("Default",) and path[1] not in given):
            continue
        yield path, text, False
    for index, parameter in enumerate(ctx.request.parameters):
        yield (PARAMETERS_KEY, index, "ParameterValue"), parameter.value, True


def _about_accounts(ctx: Context, path: DocPath, text: str, request: bool) -> bool:
    """The placeholder names an account, or stands where one goes: the key it is given to (an input
    parameter, a remediation parameter), or the parameter it is the value of and the keys that parameter
    is given to, is about accounts. A resource's logical id is not: `RootAccountMfaEnabled` holds
    values of every kind."""
    names: list[str] = [text]
    if request:
        parameter = ctx.request.parameters[int(str(path[1]))].name
        names.append(parameter)
        names.extend(_key_of(where) for name, where in ctx.template.references if name == parameter)
    elif path[:1] == ("Parameters",):  # where the parameter is used: `authorizedAccountIds: !Ref P`
        names.append(str(path[1]))
        names.extend(_key_of(where) for name, where in ctx.template.references if name == path[1])
    else:
        names.append(_key_of(path))
    return any(word in name.lower() for name in names for word in _ACCOUNT_WORDS)


# Keys that say what a value is part of, not what it is: the key a value is given to lies beyond them.
_STRUCTURE = frozenset({"StaticValue", "Values", "Ref", "Fn::If", "Fn::Sub", "Fn::Join", "Default"})


def _key_of(path: DocPath) -> str:
    """The key a value at `path` is given to: `AccountIds` for `...Parameters.AccountIds.StaticValue.Values.0`."""
    for part in reversed(path):
        if isinstance(part, str) and part not in _STRUCTURE:
            return part
    return ""


@rule("CP414", "placeholder-value", Severity.WARNING, tags=("template", "content"))
def placeholder_value(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports a value that is a placeholder left to fill in: `<Account-Id>`, `[[ Replace with AWS Master
    Account ]]`, `XXXXXXXXXXXX`, `ACCOUNT_ID`, as a whole value or one item of a
    comma-separated list, in a resource's properties, a parameter's `Default` (unless the request gives
    the parameter) or an input parameter of the request. An error when it stands for an account (its
    text or the key or parameter it is given to says so), a warning otherwise. A placeholder inside an
    ARN is CP410's; `{{...}}` is not taken for one (CloudFormation's dynamic references and Systems
    Manager's variables are written so).

    ## Why is this bad?
    AWS deploys the text as it is: the rule evaluates against an account named `<Account-Id>` (every
    resource is then non-compliant, or none is), and a remediation acts on nothing.

    ## Example
    ```yaml
    InputParameters:
      authorizedAccountIds: "<Account-Id>"
    ```

    ## Use instead
    The real value, or a parameter that the request gives (`--param AuthorizedAccounts=...`).

    ## References
    - [documented] AWS Config Developer Guide, "Prerequisites for conformance packs": "While using example
      templates, update your Account ID and management account ID for organization".
    - [observed] AWS's "with-Remediation" sample packs and packs from other repositories ship
      `<Account-Id>` and `[[ Replace with ... ]]` placeholders for the user to replace.
    """
    for path, text, request in _values(ctx):
        if "arn:" in text or len(text) > 1000:
            continue
        for item in text.split(","):
            if not re.fullmatch(_PLACEHOLDER, item):
                continue
            critical = _about_accounts(ctx, path, item, request)
            yield Issue(
                f"{item.strip()!r} is a placeholder, deployed as it is"
                + (": an account id belongs here" if critical else ""),
                path,
                fix="replace it with the real value" + (" (a 12-digit account id)" if critical else ""),
                where="request" if request else "template",
                severity=Severity.ERROR if critical else None,
                span=None
                if request
                else ctx.position_in_value(path, text.index(item) + len(item) - len(item.lstrip())),
            )
            break


_EXAMPLE_ID = re.compile(r"(?<!\d)(" + "|".join(sorted(EXAMPLE_ACCOUNTS)) + r")(?!\d)")


@rule("CP415", "example-account-id", Severity.WARNING, tags=("template", "content"))
def example_account_id(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports the account ids AWS's documentation uses as examples (123456789012, 012345678901,
    111122223333, 444455556666, 777788889999) in a resource's properties, a parameter's `Default`
    (unless the request gives the parameter) or an input parameter of the request. It is an error in an
    ARN AWS Config acts on when it creates the pack (a custom rule's Lambda function, a remediation's
    `AutomationAssumeRole`), a warning elsewhere.

    ## Why is this bad?
    No one's resources live in those accounts: a value copied from an example names a Lambda function
    AWS Config cannot invoke, so the rule fails to create in every account, or a role the remediation
    cannot assume.

    ## Example
    ```yaml
    SourceIdentifier: arn:aws:lambda:us-east-1:123456789012:function:check-tags
    ```

    ## Use instead
    The ARN with your account's 12-digit id (for a function the organization shares, the account that
    holds it).

    ## References
    - [documented] AWS Account Management Reference Guide, "View AWS account identifiers" (012345678901
      as its example), and the AWS IAM User Guide's examples (111122223333, 444455556666, 777788889999,
      123456789012): ids for illustration.
    - [documented] AWS Config API Reference, InsufficientPermissionsException: "The AWS Lambda function
      <arn> cannot be invoked" (reported in cloud-custodian/cloud-custodian#3530).
    """
    for path, text, request in _values(ctx):
        if not any(account in text for account in EXAMPLE_ACCOUNTS):
            continue
        match = _EXAMPLE_ID.search(text)
        if match is None:
            continue
        critical = "arn:" in text and (
            _is_critical(path)
            if not request and path[:1] == ("Resources",)
            else _feeds_critical(ctx, str(path[1]) if not request else ctx.request.parameters[int(str(path[1]))].name)
        )
        yield Issue(
            f"{match.group(1)} is an account id AWS's documentation uses as an example"
            + (": AWS Config cannot reach a function or role there" if critical else ""),
            path,
            fix="write the 12-digit id of your own account",
            where="request" if request else "template",
            severity=Severity.ERROR if critical else None,
            span=None if request else ctx.position_in_value(path, match.start()),
        )
