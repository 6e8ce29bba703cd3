#!/usr/bin/env python3
"""What SQLite alone needs to store N people, with no validation, encryption or Rust around it.

Compares the search-row layout before migration 0003 (rows keyed by name, a phone index) with the
current one (rows filed by commune, phone as a search row), with the platform's pragmas and
transactions of 5,000 people, people arriving commune by commune as imports bring them. Used to
decide the layout (docs/PERFORMANCE.md); Python's own share is measured with --skip-writes.

    python3 benches/sqlite_floor.py 1000000 --layout old|new [--skip-writes]
"""
import argparse
import os
import random
import sqlite3
import tempfile
import time

OLD = """
CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, name_key BLOB, pid_cipher BLOB,
  pid_index BLOB UNIQUE, phone TEXT, unit_path TEXT);
CREATE INDEX people_scope_idx ON people (unit_path, name_key);
CREATE INDEX people_phone_idx ON people (phone);
CREATE TABLE people_search (key TEXT, unit_path TEXT, person_id BIGINT REFERENCES people(id),
  name_key BLOB, PRIMARY KEY (key, unit_path, person_id)) WITHOUT ROWID;
"""
NEW = """
CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, name_key BLOB, pid_cipher BLOB,
  pid_index BLOB UNIQUE, phone TEXT, unit_path TEXT);
CREATE INDEX people_scope_idx ON people (unit_path, name_key);
CREATE TABLE people_search (place TEXT, key TEXT, person_id BIGINT, unit_path TEXT, name_key BLOB,
  PRIMARY KEY (place, key, person_id)) WITHOUT ROWID;
"""
FAMILY = "nguyen tran le pham hoang vu dang bui do ho ngo duong ly".split()
MIDDLE = "van thi duc minh ngoc thanh huu quang".split()
GIVEN = "an binh cuong dung giang hoa hung lan mai nam phuong quynh son thao trang tuan yen".split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("people", type=int)
    ap.add_argument("--layout", choices=["old", "new"], default="new")
    ap.add_argument("--skip-writes", action="store_true")
    a = ap.parse_args()
    path = os.path.join(tempfile.mkdtemp(), "floor.db")
    db = sqlite3.connect(path, isolation_level=None)
    for p in ["journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536", "mmap_size=268435456",
              "wal_autocheckpoint=50000", "foreign_keys=ON"]:
        db.execute("PRAGMA " + p)
    db.executescript(OLD if a.layout == "old" else NEW)
    rng = random.Random(1)
    villages = ["/1/19/%d/%d/" % (100 + i // 11, 2000 + i) for i in range(92 * 11)]
    start, pid, n = time.time(), 0, a.people
    while pid < n:
        people, search = [], []
        for _ in range(min(5000, n - pid)):
            pid += 1
            commune = (pid - 1) * 92 // n
            path = villages[commune * 11 + rng.randrange(11)]
            place = "/".join(path.split("/")[:4]) + "/"
            name = "%s %s %s" % (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN))
            key, phone = os.urandom(45), "09%08d" % rng.randrange(10**8)
            people.append((pid, name, key, os.urandom(40), os.urandom(32), phone, path))
            words = name.split()
            for i in range(len(words)):
                suffix = " ".join(words[i:])
                search.append((suffix, path, pid, key) if a.layout == "old" else (place, suffix, pid, path, key))
            if a.layout == "new":
                search.append((place, "tel:" + phone, pid, path, key))
        if a.skip_writes:
            continue
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO people VALUES (?,?,?,?,?,?,?)", people)
        db.executemany("INSERT INTO people_search VALUES (%s)" % ",".join("?" * len(search[0])), search)
        db.execute("COMMIT")
        if pid % 100000 == 0:
            print(pid, "people", round(time.time() - start, 1), "s", flush=True)
    print("total", round(time.time() - start, 1), "s", a.layout, "layout", "(no writes)" if a.skip_writes else "")


if __name__ == "__main__":
    main()
