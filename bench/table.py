"""The benchmark result as a table: each figure beside its goal, then per-phase detail and misses."""

from __future__ import annotations

from mlsd.core.phases import PHASE_IDS

from .specs import SPEC, fmt_value


def render_table(result: dict) -> str:
    from .resource_bench import machine_line

    m = result["machine"]
    c = result["corpus"]
    lines = [f"mlsd bench — {result['mode']} run{' with --llm' if result['llm'] else ', offline'}, {result['started']}",
             f"machine: {machine_line(m)}"]
    if m.get("load_avg"):
        busy = max(m["load_avg"][0], m["load_avg_end"][0]) > (m.get("usable_cores") or 1)
        lines.append(f"load average (1 min): {m['load_avg'][0]:.2f} at start, {m['load_avg_end'][0]:.2f} at end"
                     + (f" — more runnable processes than the {m['usable_cores']} usable cores: other work competed "
                        "with the benchmark, so the speed figures are inflated" if busy else ""))
    lines.append(f"corpus: {c['path']} ({c['answers']} answers, {c['chosen_by']}); "
                 f"calibration set: {c['ours_path']} ({c['ours_answers']} answers)")
    lines.append("")
    rows = [("figure", "value", "goal", "result", "measured on")]
    for key, f in result["figures"].items():
        spec = SPEC[key]
        verdict = "—" if f["value"] is None else ("pass" if f["pass"] else "MISS" if f["pass"] is False else "info")
        rows.append((key, fmt_value(f["value"], spec.fmt), f["goal"], verdict,
                     f["note"] if f["value"] is not None else f"not measured: {f['reason']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    g = result["goals"]
    lines.append("")
    lines.append(f"goals: {g['met']} met, {g['missed']} missed, {g['not_measured']} figures not measured")
    if result["per_phase"]:
        lines += ["", "per-phase coverage (present = positive): precision / recall / F1; "
                      "absent phases caught (skipped-phase side)"] + per_phase_table(result["per_phase"])
    skip = result["details"].get("skip_probe", {}).get("missed_cases")
    if skip:
        lines += ["", f"skip-probe misses ({len(skip)}): " + "; ".join(
            f"{d['answer']} -{d['removed']} -> {d['targets']}" for d in skip[:12]) + (" ..." if len(skip) > 12 else "")]
    wrong = result["details"].get("grade_ordering", {}).get("wrong")
    if wrong:
        lines += ["", f"grade-ordering pairs out of order ({len(wrong)}): " + "; ".join(wrong[:10])
                  + (" ..." if len(wrong) > 10 else "")]
    llm = result["details"].get("llm")
    if llm:
        lines += ["", f"LLM: {llm['model']}"]
    cpu = result.get("sections_cpu_s", {})
    lines += ["", "time per part (wall / CPU of this process): " + ", ".join(
        f"{k} {v:.1f}/{cpu.get(k, 0):.1f} s" for k, v in result["sections_s"].items()),
        f"wall time: {result['wall_s']:.1f} s"]
    for err in result["errors"]:
        lines.append(f"ERROR {err}")
    return "\n".join(lines)


def per_phase_table(per_phase: dict) -> list[str]:
    names = list(per_phase)
    header = ["phase"] + names
    table = [header]
    for phase in PHASE_IDS:
        row = [phase]
        for name in names:
            p = per_phase[name][phase]
            prf = (f"{p['precision']:.2f} / {p['recall']:.2f} / {p['f1']:.2f}" if p.get("present", 1)
                   else "  n/a (no present label) ")
            row.append(f"{prf}  {p.get('present', '?'):>2} present  {p['absent_caught']:>2}/{p['absent']:<2} absent caught")
        table.append(row)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return ["  ".join(r[i].ljust(widths[i]) for i in range(len(header))).rstrip() for r in table]
