"""The fault drill's counting (scripts/fault_drill.py; the drill itself needs its own PostgreSQL cluster)."""

from __future__ import annotations

import collections
import json

from scripts.fault_drill import Tally, batch_payload


def tally_of(sent: list[str], answers: dict[str, int]) -> Tally:
    tally = Tally()
    tally.batch_sent(sent)
    tally.attempt("HTTP 500")
    tally.attempt()
    tally.answered([{"status": status} for status, count in answers.items() for _ in range(count)])
    return tally


def test_every_encounter_stored_exactly_once_passes_and_counts_the_retry():
    tally = tally_of(["a", "b", "c"], {"created": 2, "duplicate": 1})
    verdict = tally.verdict(collections.Counter(["a", "b", "c"]), without_topics=0)
    assert verdict["passed"]
    assert verdict["retries"] == 1 and verdict["errors"] == {"HTTP 500": 1}
    assert (verdict["answered_created"], verdict["answered_duplicate"], verdict["rows_stored"]) == (2, 1, 3)


def test_a_missing_an_extra_or_a_doubled_row_fails_the_drill():
    tally = tally_of(["a", "b", "c"], {"created": 3})
    assert tally.verdict(collections.Counter(["a", "b"]), 0)["missing"] == 1
    assert not tally.verdict(collections.Counter(["a", "b"]), 0)["passed"]
    doubled = tally.verdict(collections.Counter(["a", "b", "c", "c"]), 0)
    assert doubled["stored_twice"] == 1 and not doubled["passed"]
    assert not tally.verdict(collections.Counter(["a", "b", "c", "x"]), 0)["passed"]
    assert not tally.verdict(collections.Counter(["a", "b", "c"]), without_topics=1)["passed"]


def test_a_batch_never_answered_fails_the_drill_even_if_its_rows_are_there():
    tally = tally_of(["a"], {})
    tally.gave_up(["a"])
    assert not tally.verdict(collections.Counter(["a"]), 0)["passed"]


def test_a_batch_payload_gives_each_encounter_its_own_client_uuid():
    keys, body = batch_payload(site=7, size=5, number=0)
    items = json.loads(body)["encounters"]
    assert len(set(keys)) == 5
    assert [item["client_uuid"] for item in items] == keys
    assert all(item["site"] == 7 and item["topics"] for item in items)
