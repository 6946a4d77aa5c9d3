"""Questions phrased the way officials ask (tests/data/check_questions.jsonl): paraphrases,
abbreviations, keywords only, no diacritics — beyond the shared sample questions."""

import pytest
from conftest import DATA

from index.evaluate import evaluate_retrieval, read_jsonl

ROWS = read_jsonl(DATA / "check_questions.jsonl")


@pytest.mark.parametrize("strip", [False, True], ids=["as-typed", "unaccented"])
def test_check_questions_reach_recall_at_3_of_097(index, strip):
    score = evaluate_retrieval(index, ROWS, strip=strip)
    assert score.recall >= 0.97, score.misses


@pytest.mark.parametrize("strip", [False, True], ids=["as-typed", "unaccented"])
def test_the_answer_is_visible_in_the_snippet_shown(index, strip):
    score = evaluate_retrieval(index, ROWS, strip=strip)
    assert score.in_snippet >= 0.95 * score.found


@pytest.mark.parametrize("strip", [False, True], ids=["as-typed", "unaccented"])
def test_no_off_topic_check_question_is_answered_or_offered_passages(index, strip):
    score = evaluate_retrieval(index, ROWS, strip=strip)
    assert score.off_topic >= 10 and score.off_topic_refused == score.off_topic, score.misses
