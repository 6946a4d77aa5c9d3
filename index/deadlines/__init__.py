"""Deadlines: what is due, by whom and by when, read from prose and from task-table cells.

One module per stage: `dates` (date expressions and what day they mean), `recurrence`
(repeating and continuing work), `agencies` (names, leads, partners), `prose` (dated
sentences of a passage), `cells` (a table row's time cell), `record` (the values).
"""

from index.deadlines.agencies import agency_name, split_agencies
from index.deadlines.cells import cell_deadlines
from index.deadlines.dates import period_bounds
from index.deadlines.prose import extract_deadlines
from index.deadlines.record import FREQS, KINDS, PRECISIONS, Deadline, Recurrence
from index.deadlines.recurrence import next_occurrence

__all__ = [
    "Deadline",
    "Recurrence",
    "PRECISIONS",
    "KINDS",
    "FREQS",
    "extract_deadlines",
    "cell_deadlines",
    "split_agencies",
    "agency_name",
    "period_bounds",
    "next_occurrence",
]
