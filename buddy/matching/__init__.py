"""Exact, explainable matching of newcomers with volunteers (numpy, scipy, numba; no Flask).

Typical use::

    from buddy.matching import parse_instance, solve, result_to_dict
    result = solve(parse_instance(json.load(f)))
"""

from .api import PairExplanation, check_pair, explain_pair, explain_unmatched, solve
from .feasibility import RULES, Components, haversine_km
from .instance import (
    LEVELS,
    MODES,
    SLOTS,
    District,
    Instance,
    InstanceError,
    Newcomer,
    Volunteer,
    Weights,
    parse_instance,
    parse_weights,
)
from .result import (
    Hint,
    Pair,
    Reason,
    Result,
    Summary,
    Unmatched,
    language_name,
    render_reason,
    result_to_dict,
    slot_label,
)

__all__ = [
    "LEVELS",
    "MODES",
    "RULES",
    "SLOTS",
    "Components",
    "District",
    "Hint",
    "Instance",
    "InstanceError",
    "Newcomer",
    "Pair",
    "PairExplanation",
    "Reason",
    "Result",
    "Summary",
    "Unmatched",
    "Volunteer",
    "Weights",
    "check_pair",
    "explain_pair",
    "explain_unmatched",
    "haversine_km",
    "language_name",
    "parse_instance",
    "parse_weights",
    "render_reason",
    "result_to_dict",
    "slot_label",
    "solve",
]
