#!/usr/bin/env python3
"""Write the contract-case corpus (one directory per case beside this file) and
record in each expected.json what `datacontract test` really decides.

This file is the source of the cases: edit a case here, not in its directory,
then rerun it; it rewrites contract.odcs.yaml, data.csv and expected.json.
Each case also states the verdict docs/research/datacontract-test-semantics.md
predicts; the script exits 1 when datacontract-cli decides otherwise.

Usage: DATACONTRACT=/tmp/dcvenv/bin/datacontract python3 generate.py [CASE...]
"""
import json, os, subprocess, sys, tempfile, textwrap

OUT = os.path.dirname(os.path.abspath(__file__))
DC = os.environ.get("DATACONTRACT", "/tmp/dcvenv/bin/datacontract")
if os.path.isdir(DC):
    DC = os.path.join(DC, "bin", "datacontract")

HEAD = """apiVersion: v3.1.0
kind: DataContract
id: urn:sextant:contract-case:{name}
version: 1.0.0
status: active
name: {name}
description:
  purpose: {purpose}
servers:
  - server: local
    type: local
    format: csv
    path: data.csv
schema:
  - name: t
"""

CASES = []
def case(name, purpose, predicted, body, csv, ignored=None, note=None, quirk=False):
    CASES.append(dict(name=name, purpose=purpose, predicted=predicted, body=body, csv=csv,
                      ignored=ignored, note=note, quirk=quirk))

# ---------------------------------------------------------------- cases
case("clean-pass", "Every kind of rule, all satisfied.", True, """
quality:
  - metric: rowCount
    mustBeGreaterOrEqualTo: 4
properties:
  - name: id
    logicalType: integer
    required: true
    unique: true
    logicalTypeOptions:
      minimum: 1
      maximum: 100
  - name: name
    logicalType: string
    required: true
    logicalTypeOptions:
      minLength: 2
      maxLength: 10
      pattern: "^[a-z]+$"
  - name: score
    logicalType: number
    logicalTypeOptions:
      exclusiveMinimum: 0
    quality:
      - metric: nullValues
        mustBeLessOrEqualTo: 1
  - name: active
    logicalType: boolean
  - name: day
    logicalType: date
""", "id,name,score,active,day\n1,alice,0.5,true,2024-01-01\n2,bob,1,false,2024-02-29\n3,carol,,true,2024-03-31\n4,dave,99.25,false,\n")

case("wrong-type-text-in-integer", "Text in an integer column: the CSV cannot be loaded with the contract's types.", False, """
properties:
  - name: id
    logicalType: integer
  - name: qty
    logicalType: integer
""", "id,qty\n1,5\n2,abc\n3,7\n",
     note="No per-column type check exists for CSV: the file is read into a table typed from the contract, so one value that does not convert fails the whole run with a single general check (Conversion Error) and no other check gets a result.")

case("required-missing-value", "required: true and an unquoted empty field (NULL).", False, """
properties:
  - name: id
    logicalType: integer
  - name: label
    logicalType: string
    required: true
""", "id,label\n1,cat\n2,\n3,dog\n")

case("required-quoted-empty-is-null", "A quoted empty field \"\" is read as NULL too, so required fails.", False, """
properties:
  - name: id
    logicalType: integer
  - name: label
    logicalType: string
    required: true
""", 'id,label\n1,cat\n2,""\n3,dog\n',
     note='DuckDB read_csv defaults to allow_quoted_nulls=true: "" and an unquoted empty field are both NULL; a field of spaces is a non-null string.')

case("required-whitespace-passes", "A field of blanks is a non-null string: required passes.", True, """
properties:
  - name: id
    logicalType: integer
  - name: label
    logicalType: string
    required: true
""", "id,label\n1,cat\n2,  \n3,dog\n")

case("unique-duplicate", "unique: true with a repeated value (NULLs never count as duplicates).", False, """
properties:
  - name: id
    logicalType: integer
    unique: true
""", "id\n1\n2\n2\n3\n")

case("unique-nulls-pass", "unique: true with several NULLs and no repeated value passes.", True, """
properties:
  - name: id
    logicalType: integer
  - name: code
    logicalType: string
    unique: true
""", "id,code\n1,a\n2,\n3,\n4,b\n")

case("primary-key-null-and-duplicate", "primaryKey: true implies not-null and unique.", False, """
properties:
  - name: id
    logicalType: integer
    primaryKey: true
  - name: v
    logicalType: string
""", "id,v\n1,a\n1,b\n,c\n")

case("minimum-violation", "logicalTypeOptions.minimum is inclusive (>=).", False, """
properties:
  - name: x
    logicalType: number
    logicalTypeOptions:
      minimum: 0
""", "x\n0\n5\n-0.5\n")

case("maximum-violation", "logicalTypeOptions.maximum is inclusive (<=).", False, """
properties:
  - name: x
    logicalType: integer
    logicalTypeOptions:
      maximum: 10
""", "x\n10\n3\n11\n")

case("exclusive-minimum-equal", "exclusiveMinimum: a value equal to the bound fails.", False, """
properties:
  - name: x
    logicalType: number
    logicalTypeOptions:
      exclusiveMinimum: 0
""", "x\n0\n0.1\n5\n",
     note="Emitted as two checks: field_minimum (x >= 0) and field_not_equal (x NOT IN (0)).")

case("exclusive-maximum-equal", "exclusiveMaximum: a value equal to the bound fails.", False, """
properties:
  - name: x
    logicalType: integer
    logicalTypeOptions:
      exclusiveMaximum: 10
""", "x\n1\n9\n10\n")

case("exclusive-both-bounds-upstream-bug", "exclusiveMinimum and exclusiveMaximum on one property: datacontract fails even on clean data.", False, """
properties:
  - name: x
    logicalType: number
    logicalTypeOptions:
      exclusiveMinimum: 0
      exclusiveMaximum: 10
""", "x\n1\n5\n9.5\n", quirk=True,
     note="Upstream bug in datacontract-cli 1.2.8: both options emit a check keyed t__x__field_not_equal, the batched aggregation fails with 'Duplicate column name', and every batched check of the table fails. The same happens with minimum+exclusiveMinimum or maximum+exclusiveMaximum, and with two rules of the same metric on one property. The data satisfies the contract.")

case("min-max-length", "minLength/maxLength count Unicode code points.", False, """
properties:
  - name: s
    logicalType: string
    logicalTypeOptions:
      minLength: 2
      maxLength: 3
""", "s\nab\n\u00e9\u00e8\u00e0\nx\nabcd\n\U0001F600\U0001F600\n",
     note="length() is DuckDB's code-point count: 'x' fails minLength, 'abcd' fails maxLength; three accented letters and two emoji pass.")

case("pattern-violation", "logicalTypeOptions.pattern, anchored, RE2 via DuckDB regexp_matches.", False, """
properties:
  - name: code
    logicalType: string
    logicalTypeOptions:
      pattern: "^[A-Z]{2}-[0-9]{3}$"
""", "code\nAB-123\nXY-999\nab-123\n\n",
     note="NULL values are never invalid.")

case("pattern-unanchored-passes", "pattern is a search, not a full match: '[0-9]+' accepts 'abc1'.", True, """
properties:
  - name: code
    logicalType: string
    logicalTypeOptions:
      pattern: "[0-9]+"
""", "code\n123\nabc1\n9z\n")

case("null-values-must-be-zero", "quality nullValues mustBe 0.", False, """
properties:
  - name: id
    logicalType: integer
  - name: email
    logicalType: string
    quality:
      - metric: nullValues
        mustBe: 0
""", "id,email\n1,a@x.org\n2,\n3,c@x.org\n")

case("null-values-percent-less-than", "nullValues, unit percent: 1 NULL in 10 rows is 10 (on a 0-100 scale), not < 10.", False, """
properties:
  - name: id
    logicalType: integer
  - name: v
    logicalType: number
    quality:
      - metric: nullValues
        unit: percent
        mustBeLessThan: 10
""", "id,v\n1,1\n2,2\n3,\n4,4\n5,5\n6,6\n7,7\n8,8\n9,9\n10,10\n",
     note="percent = round(null_count / all_rows * 100, 6), the denominator being every row of the table.")

case("missing-values-arguments", "missingValues with arguments.missingValues: listed values and NULL count.", False, """
properties:
  - name: id
    logicalType: integer
  - name: country
    logicalType: string
    quality:
      - metric: missingValues
        arguments:
          missingValues: ["n/a", "-"]
        mustBeLessOrEqualTo: 2
""", "id,country\n1,DE\n2,n/a\n3,-\n4,\n5,FR\n",
     note="missing_count = NULL or IN ('n/a','-') = 3.")

case("missing-values-default-null-only", "missingValues without arguments counts only NULL: 'n/a' is not missing.", True, """
properties:
  - name: id
    logicalType: integer
  - name: country
    logicalType: string
    quality:
      - metric: missingValues
        mustBe: 0
""", "id,country\n1,DE\n2,n/a\n3,N/A\n")

case("invalid-values-strings", "invalidValues with validValues strings; NULL is not invalid.", False, """
properties:
  - name: id
    logicalType: integer
  - name: color
    logicalType: string
    quality:
      - metric: invalidValues
        arguments:
          validValues: [red, green]
        mustBe: 0
""", "id,color\n1,red\n2,green\n3,\n4,Red\n",
     note="Comparison is exact and case-sensitive: 'Red' is invalid.")

case("invalid-values-numbers-1-vs-1.0", "invalidValues on a number column: 1.0 and 2.00 equal validValues [1, 2].", True, """
properties:
  - name: id
    logicalType: integer
  - name: rating
    logicalType: number
    quality:
      - metric: invalidValues
        arguments:
          validValues: [1, 2]
        mustBe: 0
""", "id,rating\n1,1.0\n2,2.00\n3,1\n4,\n",
     note="The column is DOUBLE, so IN (1, 2) compares numbers. On a string column numeric validValues also compare numerically (DuckDB casts the text), and a non-numeric text then errors the check.")

case("invalid-values-pattern", "invalidValues with arguments.pattern.", False, """
properties:
  - name: id
    logicalType: integer
  - name: sku
    logicalType: string
    quality:
      - metric: invalidValues
        arguments:
          pattern: "^SKU-[0-9]+$"
        mustBe: 0
""", "id,sku\n1,SKU-1\n2,SKU-22\n3,sku-3\n4,\n")

case("invalid-values-percent-boundary-pass", "invalidValues unit percent: 1 of 4 rows is 25, mustBeLessOrEqualTo 25 passes.", True, """
properties:
  - name: id
    logicalType: integer
  - name: cc
    logicalType: string
    quality:
      - metric: invalidValues
        arguments:
          pattern: "^[A-Z]{2}$"
        unit: percent
        mustBeLessOrEqualTo: 25
""", "id,cc\n1,US\n2,DE\n3,xx\n4,\n",
     note="The NULL row counts in the denominator but not as invalid.")

case("duplicate-values-counts-keys", "duplicateValues counts duplicated values (keys seen more than once), not rows minus distinct.", True, """
properties:
  - name: id
    logicalType: integer
  - name: k
    logicalType: integer
    quality:
      - metric: duplicateValues
        mustBeLessThan: 3
""", "id,k\n1,1\n2,1\n3,1\n4,2\n5,2\n6,\n7,\n8,3\n",
     note="Values 1 (x3) and 2 (x2) are duplicated: duplicate_count = 2 < 3 passes. rows - distinct would be 3 (or 4 counting the NULLs) and fail. NULLs are left out.")

case("duplicate-values-table-properties", "Schema-level duplicateValues over arguments.properties [a, b].", False, """
quality:
  - metric: duplicateValues
    arguments:
      properties: [a, b]
    mustBe: 0
properties:
  - name: a
    logicalType: integer
  - name: b
    logicalType: string
""", "a,b\n1,x\n1,y\n2,x\n1,x\n3,\n3,\n",
     note="(1,x) appears twice: duplicate_count = 1. Rows with a NULL in any listed column are left out, so (3,NULL) twice is not a duplicate.")

case("row-count-greater-than", "rowCount mustBeGreaterThan is strict.", False, """
quality:
  - metric: rowCount
    mustBeGreaterThan: 3
properties:
  - name: a
    logicalType: integer
""", "a\n1\n2\n3\n")

case("must-be-between-inclusive", "mustBeBetween is inclusive at both ends.", True, """
quality:
  - metric: rowCount
    mustBeBetween: [5, 10]
properties:
  - name: a
    logicalType: integer
    quality:
      - metric: nullValues
        mustBeBetween: [1, 2]
""", "a\n1\n\n3\n\n5\n",
     note="Also shows that in a one-column CSV a blank line is a row with a NULL (5 rows, 2 NULL). In a multi-column CSV blank lines are skipped.")

case("must-not-be-between-boundary", "mustNotBeBetween fails on a boundary value (the range is inclusive).", False, """
quality:
  - metric: rowCount
    mustNotBeBetween: [7, 9]
properties:
  - name: a
    logicalType: integer
""", "a\n1\n2\n3\n4\n5\n6\n7\n")

case("rfc4180-quoted-fields", "Quoted fields with commas, doubled quotes, embedded newlines and CRLF line ends pass.", True, """
quality:
  - metric: rowCount
    mustBe: 3
properties:
  - name: id
    logicalType: integer
    required: true
    unique: true
  - name: text
    logicalType: string
    required: true
    logicalTypeOptions:
      maxLength: 20
  - name: n
    logicalType: number
    logicalTypeOptions:
      maximum: 10
""", 'id,text,n\r\n1,"a, b",1.5\r\n2,"say ""hi""",2\r\n3,"line1\r\nline2",3\r\n')

case("integer-fraction-rounded-upstream-quirk", "1.4 in an integer column is rounded to 1 on load, so maximum: 1 passes.", True, """
properties:
  - name: n
    logicalType: integer
    logicalTypeOptions:
      maximum: 1
""", "n\n1\n1.4\n0\n", quirk=True,
     note="DuckDB casts '1.4' to BIGINT 1 (and '1.5' to 2, '0x10' to 16, '1_000' to 1000, ' 7 ' to 7) without error. A stricter reader would reject '1.4' as a wrong type.")

case("ignored-options", "multipleOf and format are accepted by the schema but never checked.", True, """
properties:
  - name: n
    logicalType: integer
    logicalTypeOptions:
      multipleOf: 5
      format: i8
  - name: email
    logicalType: string
    logicalTypeOptions:
      format: email
""", "n,email\n7,not-an-email\n99999,x\n",
     ignored=["logicalTypeOptions.multipleOf", "logicalTypeOptions.format"])

case("non-blocking-warnings", "severity: warning and an unrunnable rule (rowCount in percent) give result 'warning', exit 0.", True, """
quality:
  - metric: rowCount
    unit: percent
    mustBeGreaterThan: 50
properties:
  - name: v
    logicalType: string
    quality:
      - metric: invalidValues
        arguments:
          validValues: [a]
        mustBe: 0
        severity: warning
""", "v\na\nb\n",
     ignored=["rowCount with unit percent (reported as a warning, not evaluated)"],
     note="A failing rule with severity info/warning/warn/low/minor/trivial becomes a warning; a rule that cannot run is a warning. The CLI exits 1 only when some check failed or errored.")

# ---------------------------------------------------------------- run
def short(c):
    key = c.get("key") or c.get("type") or "general"
    reason = (c.get("reason") or "").strip().splitlines()[0] if c.get("reason") else ""
    return f"{key}: {reason}" if reason else key

def main():
    only = sys.argv[1:]
    bad = 0
    for cz in CASES:
        if only and cz["name"] not in only:
            continue
        d = os.path.join(OUT, cz["name"])
        os.makedirs(d, exist_ok=True)
        body = textwrap.indent(textwrap.dedent(cz["body"]).strip("\n") + "\n", "    ")
        purpose = json.dumps(cz["purpose"])
        with open(os.path.join(d, "contract.odcs.yaml"), "w") as f:
            f.write(HEAD.format(name=cz["name"], purpose=purpose) + body)
        with open(os.path.join(d, "data.csv"), "w", newline="") as f:
            f.write(cz["csv"])
        out = os.path.join(tempfile.mkdtemp(), "result.json")
        p = subprocess.run([DC, "test", "contract.odcs.yaml", "--output-format", "json", "--output", out],
                           cwd=d, capture_output=True, text=True)
        r = json.load(open(out))
        failed = [short(c) for c in r["checks"] if c.get("result") in ("failed", "error")]
        warnings = [short(c) for c in r["checks"] if c.get("result") == "warning"]
        passed = p.returncode == 0
        exp = {"passed": passed, "result": r["result"], "failed_checks": failed}
        if warnings:
            exp["warnings"] = warnings
        if cz["ignored"]:
            exp["ignored"] = cz["ignored"]
        if cz["quirk"]:
            exp["upstream_quirk"] = True
        if cz["note"]:
            exp["note"] = cz["note"]
        exp["datacontract_cli"] = r.get("datacontractCliVersion")
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(exp, f, indent=2, ensure_ascii=False)
            f.write("\n")
        flag = "" if passed == cz["predicted"] else "   <-- PREDICTION WRONG"
        bad += flag != ""
        print(f"{cz['name']:45} rc={p.returncode} result={r['result']:8} {flag}")
        for x in failed + warnings:
            print("      ", x[:160])
    sys.exit(1 if bad else 0)

main()
