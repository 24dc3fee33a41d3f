"""CP410: account ids inside ARNs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from preflight.context import Context
from preflight.findings import Issue, Severity
from preflight.rule import rule

_VARIABLE = re.compile(r"\$\{[^}]*\}")
_ARN = re.compile(r"arn:[^:\s]*:[^:\s]*:[^:\s]*:([^:\s]*):")
_ACCOUNT = re.compile(r"\d{12}")
_PLACEHOLDER = "\x00"
# "aws" owns AWS managed policies (arn:aws:iam::aws:policy/...); "*" is a wildcard in patterns.
_NOT_ACCOUNTS = frozenset({"", "aws", "*"})


def bad_account_ids(text: str) -> list[str]:
    """Account fields of the ARNs in `text` that are not 12 digits; `${...}` variables are skipped."""
    flattened = _VARIABLE.sub(_PLACEHOLDER, text)
    return [
        account
        for account in _ARN.findall(flattened)
        if account not in _NOT_ACCOUNTS and _PLACEHOLDER not in account and not _ACCOUNT.fullmatch(account)
    ]


@rule("CP410", "invalid-account-id-in-arn", Severity.ERROR, tags=("template", "content"))
def invalid_account_id_in_arn(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Reports an ARN (in a resource property or a parameter's `Default`) whose account field is not a
    12-digit account id, such as the `<Account-Id>` placeholders in AWS's "with-Remediation" sample
    packs. Descriptions are not checked.

    ## Why is this bad?
    The ARN names nothing: remediation fails in every account ("role cannot be assumed"), or a rule
    checks against a resource that does not exist.

    ## Example
    ```yaml
    Values: ["arn:aws:iam::<Account-Id>:role/S3OperationsAutomationsExecutionRole"]
    ```

    ## Use instead
    ```yaml
    Values: ["arn:aws:iam::123456789012:role/S3OperationsAutomationsExecutionRole"]
    ```
    """
    for path, text in ctx.template.strings:
        if "arn:" not in text or "Description" in path:
            continue
        if path[:1] != ("Resources",) and not (path[:1] == ("Parameters",) and path[2:3] == ("Default",)):
            continue
        for account in bad_account_ids(text):
            yield Issue(
                f"account id {account!r} in ARN is not a 12-digit account id",
                path,
                fix="replace the placeholder with the real account id",
            )
