#!/usr/bin/env python3
# ruff: noqa: E501  (long lines: row names and review notes kept whole, one mapping per line)
"""Import independent leaderboard figures for llmpick model cards.

Reads already-fetched leaderboard data files and prints YAML evidence entries
(the format of /work/evidence/BRIEF.md) for every card whose tasks include
chat, instruct, code or reasoning.  Stdlib + PyYAML only.

Datasets (see tools/leaderboards.md for where each file comes from):

  --ollb FILE         Open LLM Leaderboard v2 CSV (fboulnois/llm-leaderboard-csv,
                      csv/huggingface_v2.csv; columns model_name, model_average_score, ...)
  --arena FILE        LMArena text leaderboard CSV (fboulnois/llm-leaderboard-csv,
                      csv/lmarena_text.csv or the older csv/lmsys.csv; columns model, arena_score, ...)
  --aa FILE           Artificial Analysis LLM leaderboard payload JSON
                      (oolong-tea-2026/artificial-analysis-leaderboards, data/<date>/llms.json).
                      May be given several times; pair each with --aa-source/--aa-date/--aa-version.

Each FILE may be a plain path or  git:<git-dir>@<commit>:<path-in-repo>  (read with `git show`).
Each dataset needs its public source URL (--*-source) and snapshot date (--*-date).

Example (the snapshots used on 2026-11-2x):
  python3 tools/import_leaderboards.py --write \
    --ollb git:/work/.mirror/fboulnois+llm-leaderboard-csv/repo@0f4e5c69c6fb6515afa31ae61f4d699649bc9503:csv/huggingface_v2.csv \
    --ollb-source https://github.com/fboulnois/llm-leaderboard-csv/blob/0f4e5c69c6fb6515afa31ae61f4d699649bc9503/csv/huggingface_v2.csv \
    --ollb-date 2025-03-21 \
    --arena git:/work/.mirror/fboulnois+llm-leaderboard-csv/repo@e964e252a171a83b8bf189675ca01406d86bc810:csv/lmarena_text.csv \
    --arena-source https://github.com/fboulnois/llm-leaderboard-csv/blob/e964e252a171a83b8bf189675ca01406d86bc810/csv/lmarena_text.csv \
    --arena-date 2025-08-04 \
    --aa git:/work/.mirror/oolong-tea-2026+artificial-analysis-leaderboards/repo@ef0eaa215509686483f8074099276726662aaf26:data/2026-06-15/llms.json \
    --aa-source https://github.com/oolong-tea-2026/artificial-analysis-leaderboards/blob/ef0eaa215509686483f8074099276726662aaf26/data/2026-06-15/llms.json \
    --aa-date 2026-06-15 --aa-version v4.0 \
"""
import argparse
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

SCOPE_TASKS = {"chat", "instruct", "code", "reasoning"}

# --------------------------------------------------------------------------------------
# LMArena rows carry a display name (and a link that is often a blog post), not an HF repo
# id, so they are mapped by hand.  Value: (card id, extra variant token or None, note).
# Rows deliberately NOT mapped (ambiguous): Vicuna-13B / Vicuna-7B (the arena key
# "vicuna-13b"/"vicuna-7b" served several Vicuna versions over time; the table links v1.5),
# Phi-3-Mini-4K-Instruct-June-24 (the June 2024 in-place update of the same HF repo),
# Meta-Llama-3.1-405B-Instruct-fp8 (the bf16 row is used), Llama-4-Maverick-03-26-Experimental
# (an unreleased chat-tuned variant), Alpaca-13B (our card is 7B).
ARENA_MAP = {
    "Qwen3-235B-A22B": ("qwen3-235b-a22b", "thinking",
                        "the arena lists the no-thinking mode separately as 'Qwen3-235B-A22B-no-thinking', so this row is the default (thinking) mode"),
    "Qwen3-235B-A22B-no-thinking": ("qwen3-235b-a22b", "non-thinking", None),
    "Qwen3-32B": ("qwen3-32b", None, "thinking mode not stated by the arena"),
    "Qwen3-30B-A3B": ("qwen3-30b-a3b", None, "thinking mode not stated by the arena"),
    "DeepSeek-R1": ("deepseek-r1", None, "row links the 2025-01-20 DeepSeek-R1 release (not R1-0528, which has its own row)"),
    "DeepSeek-V3": ("deepseek-v3", None, "original V3 (V3-0324 has its own row)"),
    "Gemma-3-27B-it": ("gemma-3-27b-it", None, None),
    "Gemma-3-12B-it": ("gemma-3-12b-it", None, None),
    "Gemma-3-4B-it": ("gemma-3-4b-it", None, None),
    "Llama-4-Maverick-17B-128E-Instruct": ("llama-4-maverick-17b-128e-instruct", None,
                                           "released model row, not 'Llama-4-Maverick-03-26-Experimental'"),
    "Llama-4-Scout-17B-16E-Instruct": ("llama-4-scout-17b-16e-instruct", None, None),
    "Meta-Llama-3.1-405B-Instruct-bf16": ("llama-3.1-405b-instruct", None,
                                          "bf16 row; the table also has 'Meta-Llama-3.1-405B-Instruct-fp8'"),
    "Meta-Llama-3.1-70B-Instruct": ("llama-3.1-70b-instruct", None, None),
    "Meta-Llama-3.1-8B-Instruct": ("llama-3.1-8b-instruct", None, None),
    "Meta-Llama-3.2-3B-Instruct": ("llama-3.2-3b-instruct", None, None),
    "Meta-Llama-3.2-1B-Instruct": ("llama-3.2-1b-instruct", None, None),
    "Llama-3.3-70B-Instruct": ("llama-3.3-70b-instruct", None, None),
    "Llama-2-70B-chat": ("llama-2-70b-chat", None, None),
    "Llama-2-13b-chat": ("llama-2-13b-chat", None, None),
    "Llama-2-7B-chat": ("llama-2-7b-chat", None, None),
    "CodeLlama-34B-instruct": ("codellama-34b-instruct", None, None),
    "CodeLlama-70B-instruct": ("codellama-70b-instruct", None,
                               "row name is the Instruct model although its link points at codellama/CodeLlama-70b-hf"),
    "Qwen2.5-72B-Instruct": ("qwen2.5-72b-instruct", None, None),
    "Qwen2.5-Coder-32B-Instruct": ("qwen2.5-coder-32b-instruct", None, None),
    "Mistral-Small-3.1-24B-Instruct-2503": ("mistral-small-3.1-24b-instruct-2503", None, None),
    "Mistral-Small-24B-Instruct-2501": ("mistral-small-24b-instruct-2501", None, None),
    "Ministral-8B-2410": ("ministral-8b-instruct-2410", None, "row links mistralai/Ministral-8B-Instruct-2410"),
    "Mistral-7B-Instruct-v0.2": ("mistral-7b-instruct-v0.2", None, None),
    "Mixtral-8x7B-Instruct-v0.1": ("mixtral-8x7b-instruct-v0.1", None, None),
    "Gemma-2-27B-it": ("gemma-2-27b-it", None, None),
    "Gemma-2-9B-it": ("gemma-2-9b-it", None, None),
    "Gemma-2-2b-it": ("gemma-2-2b-it", None, None),
    "Phi-4": ("phi-4", None, None),
    "Phi-3-Medium-4k-Instruct": ("phi-3-medium-4k-instruct", None, None),
    "Phi-3-Mini-4k-Instruct": ("phi-3-mini-4k-instruct", None,
                               "original April-2024 release; the table also has 'Phi-3-Mini-4K-Instruct-June-24' for the June 2024 update"),
    "Phi-3-Mini-128k-Instruct": ("phi-3-mini-128k-instruct", None, None),
    "Command R+ (04-2024)": ("c4ai-command-r-plus", None,
                             "Cohere API model of April 2024 whose weights are CohereForAI/c4ai-command-r-plus (the 08-2024 update has its own row)"),
    "Command R (04-2024)": ("c4ai-command-r-v01", None,
                            "original Command R (arena key 'command-r', link txt.cohere.com/command-r), weights CohereForAI/c4ai-command-r-v01; the 08-2024 update has its own row"),
    "Yi-1.5-34B-Chat": ("yi-1.5-34b-chat", None, None),
    "Yi-34B-Chat": ("yi-34b-chat", None, None),
    "Granite-3.1-8B-Instruct": ("granite-3.1-8b-instruct", None, None),
    "SmolLM2-1.7B-Instruct": ("smollm2-1.7b-instruct", None, None),
    "Zephyr-7B-beta": ("zephyr-7b-beta", None, None),
    "falcon-180b-chat": ("falcon-180b-chat", None, None),
    "Koala-13B": ("koala-13b", None, None),
    "ChatGLM3-6B": ("chatglm3-6b", None, None),
    "ChatGLM2-6B": ("chatglm2-6b", None, None),
    "ChatGLM-6B": ("chatglm-6b", None, None),
    "MPT-7B-Chat": ("mpt-7b-chat", None, None),
    "RWKV-4-Raven-14B": ("rwkv-4-raven-14b", None, "row links BlinkDL/rwkv-4-raven; the Raven checkpoint version served is not stated"),
    "OpenAssistant-Pythia-12B": ("oasst-sft-4-pythia-12b", None, "row links OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5"),
    "Dolly-V2-12B": ("dolly-v2-12b", None, None),
}


def read_text(spec):
    """Plain path, or git:<git-dir>@<commit>:<path>."""
    if spec.startswith("git:"):
        m = re.match(r"git:(.+)@([0-9a-fA-F]{7,40}):(.+)$", spec)
        if not m:
            sys.exit("bad git spec: " + spec)
        gitdir, commit, path = m.groups()
        out = subprocess.run(["git", "--git-dir", gitdir, "show", f"{commit}:{path}"],
                             check=True, capture_output=True)
        return out.stdout.decode("utf-8")
    with open(spec, encoding="utf-8") as f:
        return f.read()


def load_cards(cards_dir):
    cards = []
    for f in sorted(glob.glob(os.path.join(cards_dir, "*.yaml"))):
        with open(f, encoding="utf-8") as fh:
            d = yaml.safe_load(fh)
        if set(d.get("tasks") or []) & SCOPE_TASKS:
            cards.append(d)
    return cards


def repo_aliases(repo):
    """Lower-case HF repo id plus known renames (same repository, renamed on the Hub)."""
    r = repo.lower().strip("/")
    out = {r}
    m = re.match(r"meta-llama/(llama-3\.[123]-.*)", r)
    if m:
        out.add("meta-llama/meta-" + m.group(1))
    m = re.match(r"meta-llama/meta-(llama-3\.[123]-.*)", r)
    if m:
        out.add("meta-llama/" + m.group(1))
    org, _, name = r.partition("/")
    if org in ("cohereforai", "coherelabs"):
        out |= {"cohereforai/" + name, "coherelabs/" + name}
    if org in ("thudm", "zai-org"):
        out |= {"thudm/" + name, "zai-org/" + name}
    return out


def card_repo_index(cards):
    idx = {}
    for c in cards:
        for repo in c.get("hf_repos") or []:
            for a in repo_aliases(repo):
                idx.setdefault(a, c["id"])
    return idx


def q(s):
    return json.dumps(s, ensure_ascii=False)


def emit(e, out):
    out.write(f"- model: {e['model']}\n")
    out.write(f"  benchmark: {e['benchmark']}\n")
    out.write(f"  score: {e['score']}\n")
    out.write("  evaluator: independent\n")
    out.write(f"  variant: {q(e['variant'])}\n")
    out.write(f"  date: {e['date']}\n")
    out.write(f"  source: {e['source']}\n")
    out.write(f"  note: {q(e['note'])}\n")


# ---------------------------------------------------------------- Open LLM Leaderboard v2
def ollb_entries(text, source, date, cards):
    idx = card_repo_index(cards)
    chatty = {c["id"]: bool(set(c.get("tasks") or []) & {"chat", "instruct"}) for c in cards}
    rows = list(csv.DictReader(io.StringIO(text)))
    by_card = {}
    for r in rows:
        cid = idx.get(r["model_name"].lower())
        if cid:
            by_card.setdefault(cid, []).append(r)
    entries = []
    for cid, rs in by_card.items():
        def key(r, cid=cid):
            return (
                (r["model_has_chat_template"].upper() == "TRUE") if chatty[cid] else False,
                r["features_is_flagged"].upper() != "TRUE",
                r["features_is_official_provider"].upper() == "TRUE",
                r["metadata_submission_date"],
                r["model_precision"] == "bfloat16",
            )
        rs.sort(key=key, reverse=True)
        best = rs[0]
        note = (f"Open LLM Leaderboard v2 (final state; the leaderboard was retired in March 2025), "
                f"row model_name={best['model_name']}, precision {best['model_precision']}, "
                f"revision {best['model_sha'] or '(not given)'}, chat template "
                f"{'used' if best['model_has_chat_template'].upper() == 'TRUE' else 'not used'}, "
                f"submitted {best['metadata_submission_date']}; column model_average_score (the 'Average' column, "
                f"normalised IFEval/BBH/MATH Lvl 5/GPQA/MUSR/MMLU-PRO).")
        others = [f"{r['model_precision']}/{(r['model_sha'] or '')[:8]}/chat-template={r['model_has_chat_template']}"
                  f" -> {r['model_average_score']}" for r in rs[1:]]
        if others:
            note += " Other rows for the same repo: " + "; ".join(others) + "."
        entries.append(dict(model=cid, benchmark="open-llm-leaderboard-v2", score=best["model_average_score"],
                            variant="default", date=date, source=source, note=note))
    return entries


# ---------------------------------------------------------------- LMArena text
def arena_entries(text, source, date, cards):
    ids = {c["id"] for c in cards}
    rows = list(csv.DictReader(io.StringIO(text)))
    seen = set()
    entries = []
    for r in rows:
        name = r["model"]
        if name not in ARENA_MAP or name in seen:
            continue
        seen.add(name)  # the table can repeat a row verbatim (e.g. Yi-34B-Chat)
        cid, mode, extra = ARENA_MAP[name]
        if cid not in ids:
            continue
        variant = "default" + (f", {mode}" if mode else "")
        note = (f"LMArena text arena, Overall category, default view (no style control); row '{name}' "
                f"({r['organization']}), column arena_score; table position {r['rank']}, 95% CI {r['95_pct_ci']}, "
                f"{r['votes']} votes.")
        if extra:
            note += " " + extra[0].upper() + extra[1:] + "."
        entries.append(dict(model=cid, benchmark="lmarena-text", score=r["arena_score"],
                            variant=variant, date=date, source=source, note=note))
    return entries


# ---------------------------------------------------------------- Artificial Analysis
# AA rows are mapped by their stable slug, not by the payload's huggingface_url field: that field
# is unreliable (e.g. "Gemma 3 4B Instruct" points at google/gemma-3-12b-it, "Llama 3.1 Instruct 8B"
# at the base repo, "Mistral Small 3.1" at the Base-2503 repo).  Value: (card id, note or None).
# Not mapped (ambiguous): "mistral-7b-instruct" (links v0.1; our card is v0.2), "phi-3-mini"
# ("Phi-3 Mini Instruct 3.8B", 4k or 128k not stated), the gpt-oss "-low" rows (the high-effort
# row is used).
AA_MAP = {
    "deepseek-r1-0120": ("deepseek-r1", "DeepSeek R1 (Jan '25); R1-0528 is a separate row"),
    "deepseek-v3": ("deepseek-v3", "DeepSeek V3 (Dec '24); V3-0324 is a separate row"),
    "deepseek-r1-qwen3-8b": ("deepseek-r1-0528-qwen3-8b", None),
    "deepseek-r1-distill-llama-70b": ("deepseek-r1-distill-llama-70b", None),
    "deepseek-r1-distill-llama-8b": ("deepseek-r1-distill-llama-8b", None),
    "deepseek-r1-distill-qwen-1-5b": ("deepseek-r1-distill-qwen-1.5b", None),
    "deepseek-r1-distill-qwen-14b": ("deepseek-r1-distill-qwen-14b", None),
    "deepseek-r1-distill-qwen-32b": ("deepseek-r1-distill-qwen-32b", None),
    "devstral-small-2505": ("devstral-small-2505", "Devstral Small (May '25); the Jul '25 release is a separate row"),
    "magistral-small": ("magistral-small-2506", "Magistral Small 1 (2506); 1.2 is a separate row"),
    "mistral-small-3-1": ("mistral-small-3.1-24b-instruct-2503", "row name 'Mistral Small 3.1'; its huggingface_url field points at the Base-2503 repo"),
    "mistral-small-3": ("mistral-small-24b-instruct-2501", None),
    "mistral-small": ("mistral-small-instruct-2409", "Mistral Small (Sep '24)"),
    "mixtral-8x7b-instruct": ("mixtral-8x7b-instruct-v0.1", None),
    "gemma-3-27b": ("gemma-3-27b-it", None),
    "gemma-3-12b": ("gemma-3-12b-it", None),
    "gemma-3-4b": ("gemma-3-4b-it", "row name 'Gemma 3 4B Instruct'; its huggingface_url field wrongly points at gemma-3-12b-it"),
    "gemma-3-1b": ("gemma-3-1b-it", None),
    "gpt-oss-120b": ("gpt-oss-120b", "reasoning effort high; AA also lists a low-effort row"),
    "gpt-oss-20b": ("gpt-oss-20b", "reasoning effort high; AA also lists a low-effort row"),
    "llama-4-maverick": ("llama-4-maverick-17b-128e-instruct", None),
    "llama-4-scout": ("llama-4-scout-17b-16e-instruct", None),
    "llama-3-3-instruct-70b": ("llama-3.3-70b-instruct", None),
    "llama-3-1-instruct-405b": ("llama-3.1-405b-instruct", "row name 'Llama 3.1 Instruct 405B'; its huggingface_url field points at the base repo"),
    "llama-3-1-instruct-70b": ("llama-3.1-70b-instruct", "row name 'Llama 3.1 Instruct 70B'; its huggingface_url field points at the base repo"),
    "llama-3-1-instruct-8b": ("llama-3.1-8b-instruct", "row name 'Llama 3.1 Instruct 8B'; its huggingface_url field points at the base repo"),
    "llama-3-2-instruct-3b": ("llama-3.2-3b-instruct", None),
    "llama-3-2-instruct-1b": ("llama-3.2-1b-instruct", "row name 'Llama 3.2 Instruct 1B'; its huggingface_url field points at the base repo"),
    "llama-2-chat-70b": ("llama-2-70b-chat", None),
    "llama-2-chat-13b": ("llama-2-13b-chat", None),
    "llama-2-chat-7b": ("llama-2-7b-chat", None),
    "phi-4": ("phi-4", None),
    "phi-4-mini": ("phi-4-mini-instruct", None),
    "command-r-03-2024": ("c4ai-command-r-v01", None),
    "command-r-plus-04-2024": ("c4ai-command-r-plus", None),
    "qwen2-5-72b-instruct": ("qwen2.5-72b-instruct", None),
    "qwen2.5-32b-instruct": ("qwen2.5-32b-instruct", None),
    "qwen2-5-coder-32b-instruct": ("qwen2.5-coder-32b-instruct", None),
    "qwen2-5-coder-7b-instruct": ("qwen2.5-coder-7b-instruct", None),
    "qwen3-coder-30b-a3b-instruct": ("qwen3-coder-30b-a3b-instruct", None),
    "qwen3-0.6b-instruct": ("qwen3-0.6b", None),
    "qwen3-0.6b-instruct-reasoning": ("qwen3-0.6b", None),
    "qwen3-4b-instruct": ("qwen3-4b", None),
    "qwen3-4b-instruct-reasoning": ("qwen3-4b", None),
    "qwen3-8b-instruct": ("qwen3-8b", None),
    "qwen3-8b-instruct-reasoning": ("qwen3-8b", None),
    "qwen3-14b-instruct": ("qwen3-14b", None),
    "qwen3-14b-instruct-reasoning": ("qwen3-14b", None),
    "qwen3-32b-instruct": ("qwen3-32b", None),
    "qwen3-32b-instruct-reasoning": ("qwen3-32b", None),
    "qwen3-30b-a3b-instruct": ("qwen3-30b-a3b", None),
    "qwen3-30b-a3b-instruct-reasoning": ("qwen3-30b-a3b", None),
    "qwen3-235b-a22b-instruct": ("qwen3-235b-a22b", None),
    "qwen3-235b-a22b-instruct-reasoning": ("qwen3-235b-a22b", None),
}

# Rows that are reasoning models although the row name carries no "(Reasoning)" suffix.
AA_THINKING = {"deepseek-r1-0120", "deepseek-r1-qwen3-8b", "deepseek-r1-distill-llama-70b",
               "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-qwen-1-5b", "deepseek-r1-distill-qwen-14b",
               "deepseek-r1-distill-qwen-32b", "magistral-small", "gpt-oss-120b", "gpt-oss-20b"}


def aa_entries(text, source, date, version, cards):
    ids = {c["id"] for c in cards}
    d = json.loads(text)
    entries = []
    for m in d["models"]:
        if m.get("slug") not in AA_MAP:
            continue
        cid, extra = AA_MAP[m["slug"]]
        if cid not in ids:
            continue
        ev = m.get("evaluations") or {}
        score = ev.get("artificial_analysis_intelligence_index")
        if score is None or ev.get("artificial_analysis_intelligence_index_is_estimated"):
            continue  # only values Artificial Analysis measured, not its estimates
        name = m["name"]
        low = name.lower()
        if m["slug"] in AA_THINKING:
            mode = "thinking"
        elif "(non-reasoning)" in low:
            mode = "non-thinking"
        elif "(reasoning)" in low or m.get("reasoning_model") or "(high)" in low:
            mode = "thinking"
        else:
            mode = None
        variant = version + (f", {mode}" if mode else "")
        note = (f"Artificial Analysis Intelligence Index {version}: model '{name}' (slug {m['slug']}), field "
                f"evaluations.artificial_analysis_intelligence_index, is_estimated false, in the "
                f"artificialanalysis.ai/leaderboards/models page payload archived daily "
                f"(fetched {d['meta'].get('fetched_at', '')}).")
        if extra:
            note += " " + extra[0].upper() + extra[1:] + "."
        entries.append(dict(model=cid, benchmark="aa-intelligence-index", score=json.dumps(score),
                            variant=variant, date=date, source=source, note=note))
    return entries


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cards", default=str(Path(__file__).resolve().parent.parent / "catalog" / "models"))
    ap.add_argument("--write", action="store_true",
                    help="merge the figures into the cards (replacing older snapshots of these leaderboards) "
                         "instead of printing them")
    for name in ("ollb", "ollb-source", "ollb-date", "arena", "arena-source", "arena-date"):
        ap.add_argument(f"--{name}")
    ap.add_argument("--aa", action="append", default=[])
    ap.add_argument("--aa-source", action="append", default=[])
    ap.add_argument("--aa-date", action="append", default=[])
    ap.add_argument("--aa-version", action="append", default=[])
    a = ap.parse_args()

    cards = load_cards(a.cards)
    order = {c["id"]: i for i, c in enumerate(cards)}
    entries = []
    if a.ollb:
        entries += ollb_entries(read_text(a.ollb), a.ollb_source, a.ollb_date, cards)
    if a.arena:
        entries += arena_entries(read_text(a.arena), a.arena_source, a.arena_date, cards)
    if not (len(a.aa) == len(a.aa_source) == len(a.aa_date) == len(a.aa_version)):
        sys.exit("--aa, --aa-source, --aa-date, --aa-version must be given the same number of times")
    for f, s, dt, v in zip(a.aa, a.aa_source, a.aa_date, a.aa_version, strict=True):
        entries += aa_entries(read_text(f), s, dt, v, cards)

    bench_order = {"open-llm-leaderboard-v2": 0, "lmarena-text": 1, "aa-intelligence-index": 2}
    entries.sort(key=lambda e: (order[e["model"]], bench_order[e["benchmark"]], e["date"], e["variant"]))
    if a.write:
        from figures import merge

        counts = merge(entries, Path(a.cards), replace=set(bench_order))
        print(f"{len(entries)} figures into {len(counts)} cards", file=sys.stderr)
        return
    out = sys.stdout
    out.write("# Independent leaderboard figures, generated by tools/import_leaderboards.py "
              "(see tools/leaderboards.md)\n")
    for e in entries:
        emit(e, out)


if __name__ == "__main__":
    main()
