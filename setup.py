"""Packaging: `pip install .` gives the `fiu-screen` command; `--setup_file ./setup.py` ships
the same packages to Beam workers on a remote runner."""

from setuptools import find_packages, setup

setup(
    name="fiu-screen",
    version="0.1.0",
    description="Transaction screening for six European FIUs: feeds → Apache Beam → Parquet alerts",
    python_requires=">=3.11,<3.12",
    packages=find_packages(exclude=["tests*"]),
    package_data={"watchlists": ["data/*.csv", "data/*.md", "data/ofac/*.bz2"]},
    install_requires=[
        "apache-beam==2.77.0",
        "pyarrow>=18,<26",
        "pandas>=2.2,<4",
        "rapidfuzz>=3.9,<4",
        "great-expectations==1.24.1",
        "anyascii>=0.3.2",
        "numpy>=1.26",
    ],
    extras_require={"dev": ["pytest>=8", "hypothesis>=6", "ruff>=0.6", "mypy>=1.10"]},
    entry_points={"console_scripts": ["fiu-screen=pipelines.cli:main"]},
)
