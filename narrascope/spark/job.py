"""The Spark job: read articles, ``analyze`` them, write the results. Run it with ``narrascope spark`` or
``spark-submit "$(python -c 'import narrascope.spark.job as j; print(j.__file__)')" INPUT OUTPUT``."""

from __future__ import annotations

import argparse
import os
import sys

from narrascope.errors import UsageError

READERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".ndjson": "json", ".csv": "csv"}
WRITERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}


def _format(path: str, formats: dict[str, str], what: str) -> str:
    name = path.rstrip("/")
    if what == "input" and name.lower().endswith((".jsonl.gz", ".ndjson.gz", ".csv.gz")):
        name = name[:-3]  # Spark decompresses gzip files as it reads them
    for suffix, fmt in formats.items():
        if name.lower().endswith(suffix):
            return fmt
    if what == "input" and os.path.isdir(name):
        return "parquet"  # a folder of Parquet files, as Spark writes them
    raise UsageError(f"cannot tell the {what} format; name it {', '.join(formats)}", source=path)


def read_table(spark, input_path: str, partitions: int = 0):
    """A DataFrame of ``input_path`` (Parquet, JSONL or CSV); one with fewer partitions than twice the cores
    is repartitioned, so every core works."""
    fmt_in = _format(input_path, READERS, "input")
    reader = spark.read
    if fmt_in == "csv":
        reader = reader.option("header", True).option("multiLine", True).option("escape", '"')
    df = reader.format(fmt_in).load(input_path)
    if partitions <= 0 and df.rdd.getNumPartitions() < 2 * spark.sparkContext.defaultParallelism:
        partitions = 2 * spark.sparkContext.defaultParallelism  # one small file is one partition: one core
    return df.repartition(partitions) if partitions > 0 else df


def run(spark, input_path: str, output_path: str, *, text_col: str = "text", model: str | None = None,
        partitions: int = 0, batch_size: int = 16, overwrite: bool = False) -> int:
    """Analyse ``input_path`` (Parquet, JSONL or CSV) into ``output_path`` (Parquet, JSONL or CSV, written as
    Spark writes: a folder of part files); the number of articles (``read_table`` says how it is read)."""
    from narrascope.spark import analyze

    fmt_out = _format(output_path, WRITERS, "output")
    result = analyze(read_table(spark, input_path, partitions), text_col, model=model, batch_size=batch_size)
    if fmt_out == "csv":
        result = result.drop("analysis", "entities")  # nested JSON does not belong in CSV cells
    writer = result.write.mode("overwrite" if overwrite else "errorifexists")
    writer.format(fmt_out).save(output_path)
    return spark.read.format(fmt_out).option("header", fmt_out == "csv").load(output_path).count()


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``spark-submit``: the session comes from spark-submit's configuration."""
    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--model", default=None)
    parser.add_argument("--partitions", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("narrascope").getOrCreate()
    try:
        n = run(spark, args.input, args.output, text_col=args.text_col, model=args.model,
                partitions=args.partitions, batch_size=args.batch_size, overwrite=args.overwrite)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"{n} articles analysed into {args.output}")


if __name__ == "__main__":
    main()
