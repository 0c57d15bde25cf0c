"""Kontra data-quality checks for Dagster.

Kontra (``kontra validate``) speaks Dagster Pipes: run it with
``PipesSubprocessClient`` and every rule of a Kontract comes back as an
``AssetCheckResult``. This package builds the Dagster definitions around that:

* :func:`kontra_asset_check` -- a ``@multi_asset_check`` with one check per rule
  (or, with ``per_rule=False``, one ``@asset_check`` for the whole Kontract);
* :func:`kontra_check_specs` + :func:`run_kontra` -- the same checks inside your own
  ``@asset`` (e.g. a partitioned one: the partition key reaches the Kontract as
  ``${DAGSTER_PARTITION_KEY}``);
* :func:`kontra_op` -- a plain ``@op`` for ops-based jobs (no assets, no Pipes).
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Optional, Union

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetChecksDefinition,
    AssetKey,
    Failure,
    MetadataValue,
    OpDefinition,
    OpExecutionContext,
    Out,
    PipesSubprocessClient,
    asset_check,
    multi_asset_check,
    op,
)

__all__ = [
    "check_names",
    "kontra_asset_check",
    "kontra_check_specs",
    "kontra_op",
    "kontract_rule_ids",
    "run_kontra",
]

__version__ = "0.1.0"

Binary = Union[str, Sequence[str]]
"""The Kontra executable: a path (``"kontra"``, ``"dist/kontra"``) or a command
prefix such as ``["deno", "run", "-A", "jsr:@kontra/kontra/cli"]``."""

PathLike = Union[str, "os.PathLike[str]"]


# ------------------------------------------------------------------ rule ids


def kontract_rule_ids(kontract: PathLike) -> list[str]:
    """The rule ids of a Kontract file, in the order ``kontra validate`` reports them.

    Rules of ``extends`` files come first, depth first, as Kontra loads them. An
    explicit ``id`` wins; otherwise ``COL:<column>:<rule>`` when the rule has a
    ``column`` param and ``DATASET:<rule>`` when it has none. ``${VAR}`` placeholders
    are not expanded here: when ids or column names use them, pass ``rule_ids``.
    """
    import yaml  # a dependency of dagster itself

    def load(path: Path, chain: tuple[Path, ...]) -> list[str]:
        if path in chain:
            raise ValueError(f"{path}: extends cycle")
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        bases = document.get("extends") or []
        if isinstance(bases, str):
            bases = [bases]
        ids: list[str] = []
        for base in bases:
            ids += load((path.parent / base).resolve(), (*chain, path))
        for rule in document.get("rules") or []:
            column = (rule.get("params") or {}).get("column")
            name = rule["name"]
            default = f"COL:{column}:{name}" if column is not None else f"DATASET:{name}"
            ids.append(str(rule.get("id") or default))
        return ids

    return load(Path(kontract).resolve(), ())


def check_names(rule_ids: Sequence[str]) -> list[str]:
    """Dagster check names for rule ids, exactly as ``kontra`` reports them over Pipes.

    Check names must match ``^[A-Za-z0-9_]+$``: every run of other characters becomes
    ``_`` (``COL:email:unique`` -> ``COL_email_unique``) and clashes get ``_2``, ``_3``...
    in rule order. The exact rule id is in each result's ``rule_id`` metadata.
    """
    used: set[str] = set()
    names: list[str] = []
    for rule_id in rule_ids:
        base = re.sub(r"[^A-Za-z0-9_]+", "_", rule_id)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        names.append(name)
    return names


def kontra_check_specs(
    *,
    asset: Any,
    kontract: PathLike,
    rule_ids: Optional[Sequence[str]] = None,
    blocking: bool = False,
) -> list[AssetCheckSpec]:
    """One ``AssetCheckSpec`` per rule of the Kontract, for ``@asset(check_specs=...)``.

    ``blocking=True`` marks every check blocking: a failed check of severity ``ERROR``
    (a Kontra ``blocking`` rule) then stops downstream assets.
    """
    ids = list(rule_ids) if rule_ids is not None else kontract_rule_ids(kontract)
    return [
        AssetCheckSpec(name, asset=asset, description=f"Kontra rule {rule_id}", blocking=blocking)
        for name, rule_id in zip(check_names(ids), ids)
    ]


# ------------------------------------------------------------------ running kontra


def _command(binary: Binary) -> list[str]:
    return [binary] if isinstance(binary, str) else list(binary)


def _escaped_asset_key(key: AssetKey) -> str:
    """Pipes' string form of an asset key: parts joined by ``/``, ``\\`` and ``/`` escaped."""
    return "/".join(part.replace("\\", "\\\\").replace("/", "\\/") for part in key.path)


def run_kontra(
    context: Any,
    *,
    kontract: PathLike,
    asset_key: Optional[AssetKey] = None,
    data: Optional[str] = None,
    binary: Binary = "kontra",
    extras: Optional[Mapping[str, Any]] = None,
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
    args: Sequence[str] = (),
    client: Optional[PipesSubprocessClient] = None,
) -> list[AssetCheckResult]:
    """Runs ``kontra validate`` through Dagster Pipes and returns one result per rule.

    ``context`` is the asset's or the asset check's execution context. ``extras``
    reach the Kontract as ``${extras.NAME}``; the partition key, when the step has one,
    as ``${DAGSTER_PARTITION_KEY}``. Kontra runs with ``--fail-on never``, so failing
    rules come back as failed checks; only an error (bad Kontract, unreadable data)
    makes the process, and so this call, fail.
    """
    if asset_key is None:
        asset_key = context.asset_key
    command = [
        *_command(binary),
        "validate",
        os.fspath(kontract),
        "--fail-on",
        "never",
        "--asset-key",
        _escaped_asset_key(asset_key),
        *(["--data", data] if data is not None else []),
        *args,
    ]
    pipes_context = getattr(context, "op_execution_context", context)
    invocation = (client or PipesSubprocessClient()).run(
        command=command, context=pipes_context, extras=dict(extras or {}), env=env, cwd=cwd
    )
    return [result for result in invocation.get_results() if isinstance(result, AssetCheckResult)]


def _summarize(results: Sequence[AssetCheckResult]) -> AssetCheckResult:
    """One result for the whole Kontract: failed when a blocking or warning rule failed."""

    def kontra_severity(result: AssetCheckResult) -> str:
        value = (result.metadata or {}).get("kontra_severity")
        return str(getattr(value, "value", value))

    failed = [r for r in results if not r.passed]
    counted = [r for r in failed if kontra_severity(r) in ("blocking", "warning")]
    blocking = any(r.severity == AssetCheckSeverity.ERROR for r in failed)
    table = "\n".join(
        ["| check | severity | failed rows |", "| --- | --- | ---: |"]
        + [
            f"| {r.check_name} | {kontra_severity(r)} | "
            f"{getattr((r.metadata or {}).get('failed_count'), 'value', '')} |"
            for r in failed
        ]
    )
    return AssetCheckResult(
        passed=not counted,
        severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
        metadata={
            "rules": len(results),
            "failed_rules": len(failed),
            "failures": MetadataValue.md(table),
        },
    )


# ------------------------------------------------------------------ definitions


def kontra_asset_check(
    *,
    asset: Any,
    kontract: PathLike,
    data: Optional[str] = None,
    binary: Binary = "kontra",
    name: Optional[str] = None,
    per_rule: bool = True,
    rule_ids: Optional[Sequence[str]] = None,
    blocking: bool = False,
    extras: Optional[Mapping[str, Any]] = None,
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
    args: Sequence[str] = (),
) -> AssetChecksDefinition:
    """Asset checks that run a Kontract against ``asset`` with the ``kontra`` binary.

    With ``per_rule=True`` (the default) this is a ``@multi_asset_check`` with one
    check per rule, named by :func:`check_names`; the rule ids come from the Kontract
    file (:func:`kontract_rule_ids`) unless ``rule_ids`` lists them. With
    ``per_rule=False`` it is one ``@asset_check`` named ``name`` that fails when a
    blocking or warning rule fails (severity ``ERROR`` if a blocking one did).

    Example::

        from dagster import Definitions, asset
        from dagster_kontra import kontra_asset_check

        @asset
        def users(): ...

        users_checks = kontra_asset_check(asset=users, kontract="contracts/users.yml")
        defs = Definitions(assets=[users], asset_checks=[users_checks])
    """
    asset_key = AssetKey.from_coercible_or_definition(asset)
    check_name = name or "kontra_" + re.sub(r"[^A-Za-z0-9_]+", "_", Path(kontract).stem)
    run = functools.partial(
        run_kontra,
        kontract=kontract,
        asset_key=asset_key,
        data=data,
        binary=binary,
        extras=extras,
        env=env,
        cwd=cwd,
        args=args,
    )

    if not per_rule:

        @asset_check(asset=asset_key, name=check_name, blocking=blocking, compute_kind="kontra")
        def _kontract_check(context: AssetCheckExecutionContext) -> AssetCheckResult:
            return _summarize(run(context))

        return _kontract_check

    specs = kontra_check_specs(
        asset=asset_key, kontract=kontract, rule_ids=rule_ids, blocking=blocking
    )

    @multi_asset_check(specs=specs, name=check_name, compute_kind="kontra")
    def _rule_checks(context: AssetCheckExecutionContext) -> Iterable[AssetCheckResult]:
        yield from run(context)

    return _rule_checks


def kontra_op(
    *,
    name: str,
    kontract: PathLike,
    data: Optional[str] = None,
    binary: Binary = "kontra",
    fail_on: Literal["blocking", "warning", "never"] = "blocking",
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
    args: Sequence[str] = (),
) -> OpDefinition:
    """An ``@op`` for ops-based jobs: runs ``kontra validate -o json`` and returns the
    result document (schema 1.0) as its output.

    Each failing rule is logged; the op's output metadata carries the summary. When a
    rule at ``fail_on`` severity or above fails the op raises ``dagster.Failure``
    (``never``: only errors do). ``env`` is added to the op's environment.
    """

    @op(name=name, out=Out(dict), tags={"kind": "kontra"})
    def _kontra_op(context: OpExecutionContext) -> dict:
        command = [
            *_command(binary),
            "validate",
            os.fspath(kontract),
            "--output-format",
            "json",
            "--fail-on",
            "never",
            *(["--data", data] if data is not None else []),
            *args,
        ]
        completed = subprocess.run(
            command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise Failure(
                description=f"kontra exited {completed.returncode}: {completed.stderr.strip()}",
                metadata={"command": MetadataValue.text(" ".join(command))},
            )
        document = json.loads(completed.stdout)
        summary = document["summary"]
        for result in document["results"]:
            if not result["passed"]:
                log = context.log.error if result["severity"] == "blocking" else context.log.warning
                log(f"{result['rule_id']}: {result['message']}")
        metadata = {
            "dataset": MetadataValue.text(document["dataset"]["uri"]),
            "rows": MetadataValue.int(document["dataset"]["rows"]),
            "passed": MetadataValue.bool(document["passed"]),
            **{
                key: MetadataValue.int(summary[key])
                for key in ("rules", "failed", "blocking_failures", "warning_failures")
            },
        }
        context.add_output_metadata(metadata)
        failures = summary["blocking_failures"] + (
            summary["warning_failures"] if fail_on == "warning" else 0
        )
        if fail_on != "never" and failures > 0:
            raise Failure(
                description=f"Kontra: {failures} failing rule(s) at or above {fail_on}",
                metadata=metadata,
            )
        return document

    return _kontra_op
