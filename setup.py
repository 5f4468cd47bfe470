"""Packaging: `pip install .` gives the `fiu-screen` command; `--setup_file ./setup.py` ships
the same packages to Beam workers on a remote runner."""

from setuptools import find_packages, setup

setup(
    name="fiu-screen",
    version="0.1.0",
    description="Transaction screening for six European FIUs: feeds → Apache Beam → Parquet alerts",
    python_requires=">=3.11,<3.12",
    packages=find_packages(exclude=["tests*"]),
    package_data={"watchlists": ["data/*.csv", "data/*.md", "data/ofac/*.bz2"], "schemas": ["goaml/*.xsd"]},
    install_requires=[
        "apache-beam==2.77.0",
        "pyarrow>=18,<26",
        "pandas>=2.2,<4",
        "rapidfuzz>=3.9,<4",
        "great-expectations==1.24.1",
        "anyascii>=0.3.2",
        "numpy>=1.26",
        "zstandard>=0.22",  # blocks between pipeline stages (transforms/packing.py)
        "lxml>=5",  # the pacs.008 reader's parser (transforms/feeds/pacs008.py)
        "matplotlib>=3.8,<4",  # the run report's plots (pipelines/report_charts.py)
    ],
    extras_require={"dev": ["pytest>=8", "hypothesis>=6", "ruff>=0.6", "mypy>=1.10",
                            # the analyst notebook run in a real kernel, the goAML XSD check, README one-liners
                            "nbclient>=0.10", "nbformat>=5.10", "ipykernel>=6.29", "polars>=1",
                            "duckdb>=1", "dask[distributed]==2026.8.0"],
                    # `--runner DaskRunner` (pipelines/runners.py); the tests run it on a LocalCluster
                    "dask": ["dask[distributed]==2026.8.0"]},
    entry_points={"console_scripts": ["fiu-screen=pipelines.cli:entry"]},
)
