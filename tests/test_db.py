from mlsd.core.db import MIGRATIONS, connect, transaction


def test_migrations_apply_once_and_wal_is_on(tmp_path):
    path = tmp_path / "a.db"
    db = connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == sorted(n for n, _ in MIGRATIONS)
    db.close()
    db = connect(path)  # reopening must not re-run or fail
    assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)


def test_transaction_rolls_back_on_error(tmp_path):
    db = connect(tmp_path / "b.db")
    try:
        with transaction(db):
            db.execute("INSERT INTO sessions (id) VALUES ('s1')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
