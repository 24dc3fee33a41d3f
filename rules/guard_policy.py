"""CP413: the Guard policies of CUSTOM_POLICY rules, read by Guard's own parser (the guard extra)."""

from __future__ import annotations

from collections.abc import Iterator

from preflight.api import Context, DocPath, Issue, Severity, rule, scalar_text

_INSTALL = 'run pip install ".[guard]" in preflight\'s source folder (the guard extra)'


@rule("CP413", "invalid-guard-policy", Severity.ERROR, tags=("template", "guard"))
def invalid_guard_policy(ctx: Context) -> Iterator[Issue]:
    """## What it does
    Parses the `PolicyText` of every `CUSTOM_POLICY` config rule with Guard's own parser (cfn-guard-rs,
    the `guard` extra) and reports the first syntax error of each policy at its line and column in
    the template, through YAML block (`|`, `>`), quoted and plain scalars and JSON strings, with
    Guard's message. A `PolicyText` built by an intrinsic function (`Fn::Sub`, `Ref`) is not checked,
    nor is one over 10,000 characters (CP409 reports it). When the guard extra is not installed, one
    info finding says the policies were not checked; when Guard crashes, takes more than 10 seconds
    or more than 256 MB on a policy, a warning says that policy was not checked.

    ## Why is this bad?
    The rule's logic is the Guard policy: AWS Config evaluates resources by running it with its Guard
    runtime (`guard-2.x.x`). A policy Guard cannot parse fails the rule in every account the pack
    deploys to, and evaluates nothing.

    ## Example
    ```yaml
    PolicyText: |
      rule versioning_enabled {
          configuration.Status == "Enabled"
    ```

    ## Use instead
    ```yaml
    PolicyText: |
      rule versioning_enabled {
          configuration.Status == "Enabled"
      }
    ```

    ## References
    - [documented] AWS Config API Reference, `CustomPolicyDetails`: `PolicyRuntime` "The runtime system
      for your AWS Config Custom Policy rule. Guard is a policy-as-code language that allows you to
      write policies that are enforced by AWS Config Custom Policy rules" (pattern `guard-2.x.x`);
      `PolicyText` "The policy definition containing the logic for your AWS Config Custom Policy rule".
    - [documented] AWS Config Developer Guide, "Creating AWS Config Custom Policy Rules": the rule content
      is "the Guard Custom policy for your rule"; PutConfigRule: Guard "is a policy-as-code language
      that allows you to write policies that are enforced by AWS Config Custom Policy rules".
    - [inferred] That AWS rejects an unparsable policy when it creates the rule (rather than failing
      each evaluation) is not stated in AWS's documentation; either way the rule never evaluates.
      cfn-guard-rs 0.3 wraps Guard 3, whose grammar includes that of Guard 2.
    """
    policies = list(_literal_policies(ctx))
    if not policies:
        return
    guard = ctx.reference.guard
    if not guard.installed:
        count = f"{len(policies)} Guard polic{'y' if len(policies) == 1 else 'ies'}"
        yield Issue(
            f"{count} of CUSTOM_POLICY rules not checked: Guard's parser (cfn-guard-rs) is not installed",
            policies[0][0],
            fix=_INSTALL,
            severity=Severity.INFO,
        )
        return
    run = guard.check([text for _, text in policies])
    if run.unavailable is not None:
        yield Issue(
            f"Guard policies not checked: {run.unavailable}", policies[0][0], severity=Severity.WARNING, transient=True
        )
        return
    for (path, _text), verdict in zip(policies, run.verdicts, strict=True):
        if verdict.syntax_error is not None:
            error = verdict.syntax_error
            yield Issue(error.message, path, span=ctx.position_in_value(path, error.offset))
        elif verdict.not_checked is not None:
            yield Issue(
                f"Guard failed on this policy, which was not checked: {verdict.not_checked}",
                path,
                severity=Severity.WARNING,
                transient=True,  # a worker killed from outside, or slowed by a busy machine, may pass next time
            )


def _literal_policies(ctx: Context) -> Iterator[tuple[DocPath, str]]:
    """(path, text) of each deployed CUSTOM_POLICY rule's PolicyText written out as a string."""
    for view in ctx.config_rules:
        if view.owner != "CUSTOM_POLICY":
            continue
        source = view.resource.properties.get("Source")
        details = source.get("CustomPolicyDetails") if isinstance(source, dict) else None
        text = details.get("PolicyText") if isinstance(details, dict) else None
        if isinstance(text, (bool, int, float)):  # CloudFormation sends a bare number or boolean as its text
            text = scalar_text(text)
        if isinstance(text, str) and len(text) <= ctx.limits.policy_text_max:
            yield view.path + ("Source", "CustomPolicyDetails", "PolicyText"), text
