#!/usr/bin/env python3
"""The drift statistics of scipy and Evidently (legacy stattests, as DataDriftPreset uses them) on given samples.
Usage: drift_oracle.py INPUT.json   (run with the Evidently venv's Python: PULK_PYTHON_EVIDENTLY)
INPUT: {"cases": [{"kind": "num"|"cat", "ref": [...], "cur": [...]}]}
OUTPUT: one object per case: scipy's ks (statistic, pvalue), wasserstein, anderson (statistic, pvalue), chisquare p of the
counts (a 2 × k contingency table, uncorrected: Pulk's χ² is that homogeneity test, not Evidently's goodness of fit), and Evidently's value for each method that applies, with the method Evidently picks by default."""
import json
import sys
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from evidently.legacy.core import ColumnType
from evidently.legacy.calculations.stattests import registry
from evidently.legacy.calculations.stattests.anderson_darling_stattest import _anderson_darling
from evidently.legacy.calculations.stattests.hellinger_distance import _hellinger_distance
from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
from evidently.legacy.calculations.stattests.kl_div import _kl_div
from evidently.legacy.calculations.stattests.ks_stattest import _ks_stat_test
from evidently.legacy.calculations.stattests.psi import _psi
from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm
from evidently.legacy.calculations.stattests.z_stattest import _z_stat_test

warnings.simplefilter("ignore")
out = []
for case in json.load(open(sys.argv[1]))["cases"]:
    numeric = case["kind"] in ("num", "int")
    ft = ColumnType.Numerical if numeric else ColumnType.Categorical
    dtype = float if case["kind"] == "num" else None  # "int": integers, as numpy bins them (width at least 1)
    ref, cur = pd.Series(case["ref"], dtype=dtype), pd.Series(case["cur"], dtype=dtype)
    r = {"default": registry._get_default_stattest(ref, cur, ft).name}
    methods = {"jensenshannon": _jensenshannon, "psi": _psi, "kl": _kl_div, "hellinger": _hellinger_distance,
               "z": _z_stat_test}
    if numeric:
        methods.update({"ks": _ks_stat_test, "wasserstein": _wasserstein_distance_norm, "anderson": _anderson_darling})
        ks = stats.ks_2samp(ref.values, cur.values)
        ad = stats.anderson_ksamp([ref.values, cur.values], variant="midrank")
        r.update({"ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
                  "wasserstein": float(stats.wasserstein_distance(ref.values, cur.values)),
                  "anderson_statistic": float(ad.statistic), "anderson_pvalue": float(ad.pvalue)})
    if not numeric or len(set(ref) | set(cur)) <= 20:
        keys = sorted(set(ref) | set(cur))
        table = [[int((ref == k).sum()) for k in keys], [int((cur == k).sum()) for k in keys]]
        r["chisquare_pvalue"] = float(stats.chi2_contingency(table, correction=False).pvalue) if len(keys) > 1 else 1.0
    ev = {}
    for name, f in methods.items():
        if name == "z" and len(set(ref) | set(cur)) > 2:
            continue
        try:
            v = f(ref.copy(), cur.copy(), ft, 0.1)[0]
            ev[name] = None if not np.isfinite(v) else float(v)
        except Exception:
            pass
    r["evidently"] = ev
    out.append(r)
print(json.dumps(out))
