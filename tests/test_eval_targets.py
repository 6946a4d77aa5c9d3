"""The retrieval targets on the shared sample questions (read from ../shared/eval)."""

import pytest

from index.evaluate import evaluate_deadlines, evaluate_retrieval, read_jsonl

from helpers import SHARED_EVAL

pytestmark = pytest.mark.skipif(
    not (SHARED_EVAL / "dev.jsonl").exists(), reason="../shared/eval is not beside the checkout"
)


@pytest.mark.parametrize("strip", [False, True], ids=["accented", "unaccented"])
def test_sample_questions_reach_recall_at_3_of_095(index, strip):
    score = evaluate_retrieval(index, read_jsonl(SHARED_EVAL / "dev.jsonl"), strip=strip)
    assert score.recall >= 0.95, score.misses


@pytest.mark.parametrize("strip", [False, True], ids=["accented", "unaccented"])
def test_every_off_topic_sample_question_is_unanswered(index, strip):
    score = evaluate_retrieval(index, read_jsonl(SHARED_EVAL / "dev.jsonl"), strip=strip)
    assert score.off_topic and score.off_topic_refused == score.off_topic, score.misses


def test_every_sample_deadline_is_found(shared_conv):
    rows = read_jsonl(SHARED_EVAL / "dev_deadlines.jsonl")
    score = evaluate_deadlines(shared_conv.snapshot.deadlines, rows)
    assert score.found == score.expected, score.misses
