import GRDB

/// The store's tables, as versioned migrations. Never edit a registered migration: add one.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: source, commits, desired and observed objects, journal, events, status") { db in
            try db.execute(sql: """
                -- The followed branch: its head at the last fetch, or the fetch error.
                CREATE TABLE source (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    branch TEXT NOT NULL,
                    head TEXT, subject TEXT, fetchedAt DATETIME,
                    error TEXT, errorSince DATETIME
                );
                -- Every head commit seen, and whether it could be applied.
                CREATE TABLE commits (
                    sha TEXT PRIMARY KEY,
                    subject TEXT NOT NULL,
                    authorTime DATETIME NOT NULL,
                    firstSeenAt DATETIME NOT NULL,
                    valid BOOLEAN NOT NULL,
                    diagnostics TEXT NOT NULL
                );
                -- The applied (last good) commit and its objects: the desired snapshot.
                CREATE TABLE applied (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    "commit" TEXT NOT NULL,
                    appliedAt DATETIME NOT NULL
                );
                CREATE TABLE desiredObjects (
                    kind TEXT NOT NULL, name TEXT NOT NULL,
                    "commit" TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL,
                    PRIMARY KEY (kind, name)
                );
                -- What finished actions found, per object (JSON of ObservedObject).
                CREATE TABLE observedObjects (
                    kind TEXT NOT NULL, name TEXT NOT NULL,
                    fingerprint TEXT,
                    record TEXT NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    PRIMARY KEY (kind, name)
                );
                -- The action journal: a row when an action starts, completed when it ends.
                CREATE TABLE actions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    action TEXT NOT NULL,
                    kind TEXT NOT NULL, name TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    "commit" TEXT,
                    input TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('started', 'succeeded', 'failed')),
                    output TEXT,
                    startedAt DATETIME NOT NULL,
                    finishedAt DATETIME
                );
                CREATE INDEX actionsByFingerprint ON actions (fingerprint);
                CREATE INDEX actionsByObject ON actions (kind, name);
                -- The audit log. Ids only increase (AUTOINCREMENT never reuses one).
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time DATETIME NOT NULL,
                    kind TEXT NOT NULL, name TEXT NOT NULL,
                    reason TEXT NOT NULL, message TEXT NOT NULL,
                    "commit" TEXT,
                    actor TEXT NOT NULL
                );
                -- The status the last pass computed, read by `sextant status`.
                CREATE TABLE statusHeader (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
                CREATE TABLE statusObjects (kind TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, name));
                """)
        }
        migrator.registerMigration("v2: model registry, operator requests") { db in
            try db.execute(sql: """
                -- Every version and revision of every model (JSON records), never pruned.
                CREATE TABLE modelVersions (
                    model TEXT NOT NULL, version INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL, "commit" TEXT NOT NULL,
                    record TEXT NOT NULL, createdAt DATETIME NOT NULL,
                    PRIMARY KEY (model, version)
                );
                CREATE INDEX modelVersionsByFingerprint ON modelVersions (model, fingerprint);
                CREATE TABLE modelRevisions (
                    model TEXT NOT NULL, revision INTEGER NOT NULL, version INTEGER NOT NULL,
                    servingFingerprint TEXT NOT NULL, record TEXT NOT NULL,
                    PRIMARY KEY (model, revision)
                );
                -- Decisions of people (`sextant retry`), taken by the next pass.
                CREATE TABLE requests (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    action TEXT NOT NULL, model TEXT NOT NULL, actor TEXT NOT NULL, time DATETIME NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: data plane (gateway process, routing table)") { db in
            try db.execute(sql: """
                -- The gateway process (JSON of GatewayProcess), for adoption after a restart.
                CREATE TABLE gateway (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
                -- The routing table the gateway loads at start; generations only increase.
                CREATE TABLE routes (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL, record TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v4: events by object") { db in
            try db.execute(sql: """
                -- `sextant events NAME --kind K` and `GET /api/v1/events?name=&kind=` filter here.
                CREATE INDEX eventsByName ON events (name, id);
                CREATE INDEX eventsByKind ON events (kind, id);
                """)
        }
        migrator.registerMigration("v5: revisions' resource use") { db in
            try db.execute(sql: """
                -- Each revision's CPU time, memory and predictions (JSON of RevisionResources):
                -- `history` shows them, a restarted daemon adds to them.
                CREATE TABLE revisionResources (
                    model TEXT NOT NULL, revision INTEGER NOT NULL,
                    record TEXT NOT NULL, updatedAt DATETIME NOT NULL,
                    PRIMARY KEY (model, revision)
                );
                """)
        }
        migrator.registerMigration("v6: the version a rollback request names") { db in
            try db.execute(sql: """
                -- `sextant rollback MODEL --to vN`: N (NULL: the previous stable version).
                ALTER TABLE requests ADD COLUMN version INTEGER;
                """)
        }
        return migrator
    }()
}
