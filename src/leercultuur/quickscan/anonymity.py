"""Which groups of a scan's respondents may be shown: the anonymity rule, proved by linear algebra.

The rule (docs/quickscan-anonymity.md): nothing shown may let anyone compute the total of a set
of fewer than ``minimum`` respondents, by any combination of shown results. A shown group's
result per indicator is its mean and its count, so it reveals the group's total; any linear
combination of shown totals is known too (teams, background categories and the whole
organisation: differences, sums of differences, the rest of the organisation). A set ``S`` of
respondents is therefore revealed exactly when its indicator vector ``1_S`` lies in the span of
the shown groups' membership vectors (the whole organisation's vector always among them).

:func:`disclosure_plan` decides:

1. primary suppression: a group with fewer than ``minimum`` respondents, or whose rest of the
   organisation has fewer, is not shown;
2. complementary suppression, greedy: while some set of 1 to ``minimum - 1`` respondents is in
   the span of the shown vectors, one more group is suppressed (a group whose removal takes that
   set out of the span: background categories before teams, then the smallest) and the check is
   repeated. Suppressing everything but the whole organisation is always safe (its only
   revealed set is everyone), so this ends.

The check is exact (rational arithmetic). Vectors in the span are constant on the "atoms" (sets
of respondents with the same memberships), so a revealed set is a union of atoms; atoms of at
least ``minimum`` people cannot be part of a small set, so the search runs in the subspace that is
zero on them, over the reduced row echelon basis of that subspace, per connected component, over
subsets of pivots whose atom sizes add up to less than ``minimum``. If that search would exceed a
budget, the configuration is treated as unsafe (never as safe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Reason = Literal["too_small", "rest_too_small", "differencing"]
SEARCH_BUDGET = 20_000  # pivot subsets tried exactly before the search goes to HiGHS


@dataclass(frozen=True)
class CandidateGroup:
    """A group that could be shown: a team or a background category, with its members
    (indices 0..population-1 of the respondents)."""

    key: tuple[str, int]  # (variable, code)
    members: frozenset[int]
    priority: int = 0  # higher: kept longer when one of several groups must go (teams: 1)


@dataclass(frozen=True)
class Decision:
    key: tuple[str, int]
    size: int
    shown: bool
    reason: Reason | None


@dataclass(frozen=True)
class DisclosurePlan:
    population: int
    minimum: int
    decisions: tuple[Decision, ...]

    @property
    def shown(self) -> tuple[tuple[str, int], ...]:
        return tuple(d.key for d in self.decisions if d.shown)

    def decision(self, key: tuple[str, int]) -> Decision:
        for d in self.decisions:
            if d.key == key:
                return d
        raise KeyError(key)


Vector = list[Fraction]


def _rref(rows: Sequence[Sequence[int | Fraction]]) -> tuple[list[Vector], list[int]]:
    """Reduced row echelon form (exact): the non-zero rows and their pivot columns.

    Integer matrices go through fraction-free elimination in int64 (rows kept divided by their
    gcd; exact as long as no entry passes 2^30, else the Fraction route)."""
    if rows and all(Fraction(v).denominator == 1 for r in rows for v in r):
        done = _rref_int([[int(v) for v in r] for r in rows])
        if done is not None:
            return done
    m = [[Fraction(v) for v in r] for r in rows]
    pivots: list[int] = []
    out: list[Vector] = []
    ncol = len(m[0]) if m else 0
    r = 0
    for c in range(ncol):
        piv = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        lead = m[r][c]
        m[r] = [v / lead for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    out = m[:r]
    return out, pivots


def _rref_int(rows: list[list[int]]) -> tuple[list[Vector], list[int]] | None:
    import numpy as np

    m = np.array(rows, dtype=np.int64)
    nrow, ncol = m.shape
    pivots: list[int] = []
    r = 0
    for c in range(ncol):
        if r == nrow:
            break
        nz = np.flatnonzero(m[r:, c])
        if nz.size == 0:
            continue
        p = r + int(nz[0])
        if p != r:
            m[[r, p]] = m[[p, r]]
        for i in range(nrow):
            if i != r and m[i, c] != 0:
                row = m[i] * m[r, c] - m[r] * m[i, c]
                g = int(np.gcd.reduce(row))
                m[i] = row // g if g > 1 else row
        if np.abs(m).max() > 2**30:
            return None
        pivots.append(c)
        r += 1
    out = [[Fraction(int(v), int(m[i, pc])) for v in m[i]] for i, pc in enumerate(pivots)]
    return out, pivots


def _in_span(basis: list[Vector], pivots: list[int], x: Sequence[int | Fraction]) -> bool:
    v = [Fraction(a) for a in x]
    for row, p in zip(basis, pivots, strict=True):
        if v[p] != 0:
            f = v[p]
            v = [a - f * b for a, b in zip(v, row, strict=True)]
    return all(a == 0 for a in v)


def _nullspace(rows: list[list[int]], ncol: int) -> list[Vector]:
    """A basis of {y : sum_i y_i rows[i] = 0} (the left null space of the matrix ``rows``)."""
    if not rows:
        return []
    # y^T M = 0  <=>  M^T y = 0; null space of M^T (ncol x g)
    g = len(rows)
    mt = [[rows[i][j] for i in range(g)] for j in range(ncol)]
    if not mt:
        return [[Fraction(int(i == k)) for i in range(g)] for k in range(g)]
    red, piv = _rref(mt)
    free = [c for c in range(g) if c not in piv]
    basis = []
    for f in free:
        y = [Fraction(0)] * g
        y[f] = Fraction(1)
        for row, p in zip(red, piv, strict=True):
            y[p] = -row[f]
        basis.append(y)
    return basis


def _atoms(vectors: Sequence[frozenset[int]], population: int) -> list[list[int]]:
    """Respondents grouped by their memberships (each list one atom)."""
    sig: dict[tuple[bool, ...], list[int]] = {}
    for p in range(population):
        sig.setdefault(tuple(p in v for v in vectors), []).append(p)
    return list(sig.values())


def revealed_small_set(
    groups: Sequence[frozenset[int]], population: int, *, minimum: int
) -> frozenset[int] | None:
    """A set of 1 to ``minimum - 1`` respondents whose total the shown ``groups`` (plus the
    whole organisation) reveal, or None when there is none.

    Raises :class:`SearchTooLarge` (caught by :func:`disclosure_plan`, which then suppresses
    more) when the search would exceed its budget."""
    everyone = frozenset(range(population))
    vectors = [everyone, *groups]
    atoms = _atoms(vectors, population)
    sizes = [len(a) for a in atoms]
    mat = [[int(a[0] in v) for a in atoms] for v in vectors]  # groups x atoms
    big = [j for j, s in enumerate(sizes) if s >= minimum]
    small = [j for j, s in enumerate(sizes) if s < minimum]
    if not small:
        return None
    ys = (
        _nullspace([[row[j] for j in big] for row in mat], len(big))
        if big
        else [[Fraction(int(i == k)) for i in range(len(mat))] for k in range(len(mat))]
    )
    sub = _restrict(ys, mat, small)
    if not sub:
        return None
    basis, pivots = _rref(sub)
    try:
        for comp in _components(basis):
            found = _search(basis, pivots, comp, [sizes[j] for j in small], minimum)
            if found is not None:
                return frozenset(p for k in found for p in atoms[small[k]])
        return None
    except SearchTooLarge:
        pass
    cols = _milp_search(mat, sizes, big, minimum)
    if cols is None:
        return None
    return frozenset(p for j in cols for p in atoms[j])


def _milp_search(
    mat: list[list[int]], sizes: list[int], big: list[int], minimum: int
) -> list[int] | None:
    """The same question as a mixed-integer feasibility problem (HiGHS): atoms x_j in {0, 1}
    (0 for atoms of at least ``minimum``), coefficients y free, x = A^T y,
    1 <= sum s_j x_j <= minimum - 1. Only used when the exact search would be too long.
    Safety rests on "infeasible" (no 0/1 solution within HiGHS's tolerances, which admit more
    solutions than exact arithmetic, never fewer); a solution that is an artefact of those
    tolerances costs one needless suppression, never a disclosure."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    g, m = len(mat), len(sizes)
    a = np.asarray(mat, dtype=np.float64)  # g x m
    s = np.asarray(sizes, dtype=np.float64)
    eq = np.hstack([np.eye(m), -a.T])  # x_j - sum_i a_ij y_i = 0
    size_row = np.concatenate([s, np.zeros(g)])[None, :]
    upper_x = np.ones(m)
    upper_x[big] = 0.0
    res = milp(
        c=np.concatenate([s, np.zeros(g)]),
        constraints=[
            LinearConstraint(eq, np.zeros(m), np.zeros(m)),
            LinearConstraint(size_row, 1.0, minimum - 1.0),
        ],
        integrality=np.concatenate([np.ones(m), np.zeros(g)]),
        bounds=Bounds(np.concatenate([np.zeros(m), np.full(g, -np.inf)]),
                      np.concatenate([upper_x, np.full(g, np.inf)])),
        # presolve off: HiGHS's presolve (scipy 1.17.1) called a feasible case "infeasible"
        # (a shown team of one person; tests/quickscan/test_anonymity.py, the regression example
        # of test_the_mixed_integer_route_is_safe_too). Infeasible is our safety claim, so it
        # must come from the solver proper.
        options={"time_limit": 30.0, "presolve": False},
    )  # fmt: skip
    if res.status == 2:  # infeasible: no small set is revealed
        return None
    if res.x is None:  # time limit without an answer: treat as unsafe
        raise SearchTooLarge
    return [j for j in range(m) if res.x[j] > 0.5]


def _restrict(ys: list[Vector], mat: list[list[int]], small: list[int]) -> list[Vector]:
    """The non-zero rows y^T A restricted to the small atoms, exactly. Each y is scaled to
    integers first (a row's multiple spans the same space), so the product is an integer matrix
    product; Fractions only if the integers could overflow."""
    import math

    import numpy as np

    a_small = np.array([[row[j] for j in small] for row in mat], dtype=np.int64)
    out: list[Vector] = []
    for y in ys:
        den = 1
        for v in y:
            den = den * v.denominator // math.gcd(den, v.denominator)
        yi = [int(v * den) for v in y]
        if max((abs(v) for v in yi), default=0) * max(len(mat), 1) < 2**52:
            r = [Fraction(int(v)) for v in np.asarray(yi, dtype=np.int64) @ a_small]
        else:
            r = [sum((y[i] * mat[i][j] for i in range(len(mat))), Fraction(0)) for j in small]
        if any(v != 0 for v in r):
            out.append(r)
    return out


class SearchTooLarge(RuntimeError):
    pass


def _components(basis: list[Vector]) -> list[list[int]]:
    """Rows of the basis grouped by shared non-zero columns (connected components)."""
    parent = list(range(len(basis)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for i, row in enumerate(basis):
        for c, v in enumerate(row):
            if v != 0:
                if c in owner:
                    parent[find(i)] = find(owner[c])
                else:
                    owner[c] = i
    comps: dict[int, list[int]] = {}
    for i in range(len(basis)):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


def _search(
    basis: list[Vector], pivots: list[int], rows: list[int], sizes: list[int], minimum: int
) -> list[int] | None:
    """A 0/1 combination of ``rows`` (pivot values 0/1) that is a 0/1 vector of total size
    1..minimum-1; returns its non-zero columns, or None. Exact: the rows are scaled to integers
    by their common denominator D, and a sum is 0/1 when every entry is 0 or D."""
    import math

    import numpy as np

    cand = [i for i in rows if sizes[pivots[i]] < minimum]
    if not cand:
        return None
    den = 1
    for i in cand:
        for v in basis[i]:
            den = den * v.denominator // math.gcd(den, v.denominator)
    if den > 2**40 or max(abs(v.numerator) for i in cand for v in basis[i]) * den > 2**40:
        raise SearchTooLarge  # integers could overflow int64 in sums: leave it to HiGHS
    ints = np.array([[int(v * den) for v in basis[i]] for i in cand], dtype=np.int64)
    size_arr = np.asarray(sizes, dtype=np.int64)
    piv_size = [sizes[pivots[i]] for i in cand]
    tried = 0

    def dfs(start: int, acc: np.ndarray, weight: int, chosen: int) -> list[int] | None:
        nonlocal tried
        if chosen:
            tried += 1
            if tried > SEARCH_BUDGET:
                raise SearchTooLarge
            if bool(np.all((acc == 0) | (acc == den))):
                ones = acc == den
                total = int(size_arr[ones].sum())
                if 1 <= total < minimum:
                    return [int(c) for c in np.flatnonzero(ones)]
        for k in range(start, len(cand)):
            w = weight + piv_size[k]
            if w >= minimum:
                continue
            res = dfs(k + 1, acc + ints[k], w, chosen + 1)
            if res is not None:
                return res
        return None

    return dfs(0, np.zeros(ints.shape[1], dtype=np.int64), 0, 0)


def disclosure_plan(
    groups: Sequence[CandidateGroup], population: int, *, minimum: int
) -> DisclosurePlan:
    """Decide which groups are shown (see the module docstring); ``population`` is the number
    of respondents of the scan (its whole-organisation result is shown)."""
    if minimum < 2:
        raise ValueError(f"minimum: {minimum}; it must be at least 2")
    if population < minimum:
        raise ValueError(
            f"population: {population} respondents is below the minimum {minimum}; "
            "no result may be shown"
        )
    reasons: dict[tuple[str, int], Reason] = {}
    for g in groups:
        if any(m < 0 or m >= population for m in g.members):
            raise ValueError(f"group {g.key}: members outside 0..{population - 1}")
        if len(g.members) < minimum:
            reasons[g.key] = "too_small"
        elif population - len(g.members) < minimum:
            reasons[g.key] = "rest_too_small"
    shown = [g for g in groups if g.key not in reasons]
    while shown:
        try:
            witness = revealed_small_set([g.members for g in shown], population, minimum=minimum)
        except SearchTooLarge:
            witness = frozenset()  # unknown: treat as unsafe, suppress the smallest group
        if witness is None:
            break
        victim = _choose(shown, witness, population)
        reasons[victim.key] = "differencing"
        shown = [g for g in shown if g.key != victim.key]
    return DisclosurePlan(
        population=population,
        minimum=minimum,
        decisions=tuple(
            Decision(g.key, len(g.members), g.key not in reasons, reasons.get(g.key))
            for g in groups
        ),
    )


def _choose(
    shown: list[CandidateGroup], witness: frozenset[int], population: int
) -> CandidateGroup:
    """The group to suppress: of the lowest priority, the smallest whose removal takes
    ``witness`` out of the span; else the smallest shown of the lowest priority. Ties: the later
    group in the given order."""
    order = sorted(range(len(shown)), key=lambda k: (shown[k].priority, len(shown[k].members), -k))
    if witness:
        import numpy as np

        everyone = frozenset(range(population))
        atoms = _atoms([everyone, *(g.members for g in shown), witness], population)
        cols = [a[0] for a in atoms]
        x = np.array([[float(c in witness) for c in cols]])
        for k in order:  # a heuristic choice (floating point); the caller re-checks exactly
            rest = np.array(
                [[float(c in v) for c in cols]
                 for v in [everyone, *(g.members for j, g in enumerate(shown) if j != k)]]
            )  # fmt: skip
            if np.linalg.matrix_rank(np.vstack([rest, x])) > np.linalg.matrix_rank(rest):
                return shown[k]
    return shown[order[0]]
