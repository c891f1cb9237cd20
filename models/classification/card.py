"""The model card (MODEL_CARD.md) written beside every retrained classifier version."""

from __future__ import annotations


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(
    title: str, groups: dict[str, dict], other: dict[str, dict] | None = None, other_name: str = ""
) -> list[str]:
    head = "| group | n | top-1 | top-3 | ECE |"
    rule = "|---|---|---|---|---|"
    if other is not None:
        head += f" top-1 ({other_name}) |"
        rule += "---|"
    lines = [f"### {title}", "", head, rule]
    for name, m in groups.items():
        row = f"| {name} | {m['n']} | {_f(m['top1'])} | {_f(m['top3'])} | {_f(m['ece'])} |"
        if other is not None:
            row += f" {_f(other.get(name, {}).get('top1'))} |"
        lines.append(row)
    return [*lines, ""]


def _section(name: str, metrics: dict | None, before: dict | None, before_name: str) -> list[str]:
    if not metrics:
        return [f"## {name}", "", "No rows in this split.", ""]
    lines = [f"## {name}", ""]
    overall = {"all": {k: v for k, v in metrics["overall"].items() if k != "reliability"}}
    prev = {"all": before["overall"]} if before else None
    lines += _table("Overall (each item counted once per jurisdiction)", overall, prev, before_name)
    for key, title in (
        ("per_jurisdiction", "Per jurisdiction"),
        ("per_catalogue", "Per catalogue of the correct answer"),
        ("per_category", "Per category of the correct answer"),
    ):
        lines += _table(title, metrics[key], before.get(key) if before else None, before_name)
    return lines


def _ner_line(ner: dict) -> str:
    if not ner.get("retrained"):
        return f"not retrained ({ner.get('reason')})"
    b, a = ner["before"], ner["after"]
    return (
        f"fine-tuned into {ner['folder']}; F on generated test sentences "
        f"{b['generated_test']['f']} -> {a['generated_test']['f']}, on held-out confirmed "
        f"names {b['confirmed_heldout']['f']} -> {a['confirmed_heldout']['f']} "
        f"({a['confirmed_heldout']['n']} texts)"
    )


def render(version: str, manifest: dict, metrics: dict, dataset_card: dict | None) -> str:
    cmp = metrics.get("active_at_training")
    cmp_name = f"active {cmp['version']}" if cmp else ""
    split = manifest["split"]
    td = manifest["training_data"]
    lines = [
        f"# Model card: classifier {version}",
        "",
        "Suggests control-list entries (EU dual-use, EU military, US CCL, US USML, or",
        "NOT_LISTED) for an item description. A suggestion is not a decision: a reviewer",
        "confirms or overrides every one. The destination country is not an input.",
        "",
        "## How it was made",
        "",
        f"- Created {manifest['created']} by {manifest['trained_by']}.",
        f"- Embeddings: {manifest['embedding_model']}.",
        f"- Ranker: {manifest['ranker']}.",
        f"- Calibration: temperature {manifest['calibration']['temperature']:.4f}, fitted on "
        "rows the ranker never saw.",
        f"- Rows: {split['base_train_rows']} base training, {split['base_calibration_rows']} base "
        f"calibration; confirmed decisions {split['decision_train_rows']} training, "
        f"{split['decision_calibration_rows']} calibration, {split['decision_heldout_rows']} "
        f"held out. Dropped: {split['dropped']}.",
        f"- Split rule: {split['rule']}.",
        f"- Candidate recall (answer among the candidates): {manifest['candidate_recall']}.",
        f"- Extraction NER: {_ner_line(manifest['ner'])}.",
        "",
        "## Data (SHA-256)",
        "",
    ]
    for name, meta in td["base"].items():
        lines.append(f"- base `{name}`: {meta.get('sha256', meta)}")
    for name, digest in td["confirmed_decisions"].items():
        lines.append(f"- confirmed decisions `{name}`: `{digest}`")
    if dataset_card:
        items = dataset_card["items"]
        lines.append(
            f"- dataset: {items['count']} confirmed items from {items['applications']} "
            f"applications, decided {dataset_card['decided_at']['first']} to "
            f"{dataset_card['decided_at']['last']}"
        )
    lines.append(
        f"- fixed evaluation set `{manifest['fixed_set']['file']}`: "
        f"`{manifest['fixed_set']['sha256']}`"
    )
    lines.append("")
    lines += _section(
        "Fixed evaluation set (never trained on)",
        metrics["fixed_set"],
        cmp["fixed_set"] if cmp else None,
        cmp_name,
    )
    lines += _section(
        "Held-out confirmed decisions (applications kept out of training)",
        metrics["heldout_split"],
        cmp["heldout_split"] if cmp else None,
        cmp_name,
    )
    lines += [
        "## Limits",
        "",
        "- The fixed set is hand-written; real applications word things differently.",
        "- Metrics are at entry level (ML10.a counts as ML10).",
        "- Confidence is calibrated on held-out rows; it drifts if the mix of goods changes.",
        "- Activation is refused when the fixed-set top-1 drops or the calibration error rises",
        "  beyond the configured tolerances, unless forced (`exportdesk models activate --force`).",
        "",
    ]
    return "\n".join(lines)
