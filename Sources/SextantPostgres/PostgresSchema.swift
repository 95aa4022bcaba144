/// The PostgreSQL store's tables, as an ordered list of migrations. Never edit a listed
/// migration: add one (and the matching one to SQLite's `Schema`).
///
/// Each migration is a list of statements (PostgresNIO sends one statement per query).
enum PostgresSchema {
    struct Migration {
        var id: String
        var statements: [String]
    }

    /// The state tables: every write to them passes the fence trigger. `requests` (operator
    /// input, any replica queues), `leader` and `schema_migrations` have none.
    static let fencedTables = [
        "source", "commits", "applied", "desired_objects", "observed_objects", "actions", "events",
        "status_header", "status_objects", "model_versions", "model_revisions", "gateway", "routes", "revision_resources",
    ]

    static let migrations: [Migration] = [
        Migration(id: "pg1: the store as of SQLite v6, the lease, the fence", statements: [
            """
            -- The followed branch: its head at the last fetch, or the fetch error.
            CREATE TABLE source (
                id integer PRIMARY KEY CHECK (id = 1),
                branch text NOT NULL,
                head text, subject text, fetched_at timestamptz,
                error text, error_since timestamptz
            )
            """,
            """
            -- Every head commit seen, and whether it could be applied.
            CREATE TABLE commits (
                sha text PRIMARY KEY,
                subject text NOT NULL,
                author_time timestamptz NOT NULL,
                first_seen_at timestamptz NOT NULL,
                valid boolean NOT NULL,
                diagnostics text NOT NULL
            )
            """,
            """
            -- The applied (last good) commit and its objects: the desired snapshot.
            CREATE TABLE applied (id integer PRIMARY KEY CHECK (id = 1), commit_sha text NOT NULL, applied_at timestamptz NOT NULL)
            """,
            """
            CREATE TABLE desired_objects (
                kind text NOT NULL, name text NOT NULL,
                commit_sha text NOT NULL, file text NOT NULL, line bigint NOT NULL,
                PRIMARY KEY (kind, name)
            )
            """,
            """
            -- What finished actions found, per object (JSON of ObservedObject).
            CREATE TABLE observed_objects (
                kind text NOT NULL, name text NOT NULL,
                fingerprint text,
                record text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (kind, name)
            )
            """,
            """
            -- The action journal: a row when an action starts, completed when it ends; epoch is
            -- the term that wrote it.
            CREATE TABLE actions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                action text NOT NULL,
                kind text NOT NULL, name text NOT NULL,
                fingerprint text NOT NULL,
                attempt bigint NOT NULL,
                commit_sha text,
                input text NOT NULL,
                state text NOT NULL CHECK (state IN ('started', 'succeeded', 'failed')),
                output text,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                epoch bigint NOT NULL
            )
            """,
            "CREATE INDEX actions_by_fingerprint ON actions (fingerprint)",
            "CREATE INDEX actions_by_object ON actions (kind, name)",
            """
            -- The audit log. Ids only increase, in commit order: the fence serialises the writes.
            CREATE TABLE events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time timestamptz NOT NULL,
                kind text NOT NULL, name text NOT NULL,
                reason text NOT NULL, message text NOT NULL,
                commit_sha text,
                actor text NOT NULL,
                epoch bigint NOT NULL
            )
            """,
            "CREATE INDEX events_by_name ON events (name, id)",
            "CREATE INDEX events_by_kind ON events (kind, id)",
            """
            -- The status the last pass computed; generation counts the saves (followers cache).
            CREATE TABLE status_header (id integer PRIMARY KEY CHECK (id = 1), json text NOT NULL, generation bigint NOT NULL)
            """,
            "CREATE TABLE status_objects (kind text NOT NULL, name text NOT NULL, json text NOT NULL, PRIMARY KEY (kind, name))",
            """
            -- Every version and revision of every model (JSON records), never pruned.
            CREATE TABLE model_versions (
                model text NOT NULL, version bigint NOT NULL,
                fingerprint text NOT NULL, commit_sha text NOT NULL,
                record text NOT NULL, created_at timestamptz NOT NULL,
                PRIMARY KEY (model, version)
            )
            """,
            "CREATE INDEX model_versions_by_fingerprint ON model_versions (model, fingerprint)",
            """
            CREATE TABLE model_revisions (
                model text NOT NULL, revision bigint NOT NULL, version bigint NOT NULL,
                serving_fingerprint text NOT NULL, record text NOT NULL,
                PRIMARY KEY (model, revision)
            )
            """,
            """
            -- Decisions of people (`sextant retry`, promote, abort, rollback), taken by the leader's next pass.
            CREATE TABLE requests (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                action text NOT NULL, model text NOT NULL, actor text NOT NULL, time timestamptz NOT NULL,
                version bigint
            )
            """,
            "CREATE TABLE gateway (id integer PRIMARY KEY CHECK (id = 1), record text NOT NULL)",
            "CREATE TABLE routes (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL, record text NOT NULL)",
            """
            CREATE TABLE revision_resources (
                model text NOT NULL, revision bigint NOT NULL,
                record text NOT NULL, updated_at timestamptz NOT NULL,
                PRIMARY KEY (model, revision)
            )
            """,
            """
            -- The lease (DESIGN §12): who leads, in which term, until when on this database's clock.
            CREATE TABLE leader (
                name text PRIMARY KEY,
                holder text NOT NULL,
                epoch bigint NOT NULL,
                expires_at timestamptz NOT NULL,
                acquired_at timestamptz NOT NULL,
                api text
            )
            """,
            """
            -- The fence's safety net: a statement on a state table is refused (SQLSTATE SX001)
            -- unless its transaction set sextant.epoch to the epoch of an unexpired lease.
            CREATE FUNCTION sextant_fence() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM leader
                               WHERE name = 'reconciler' AND expires_at > now()
                                 AND epoch::text = current_setting('sextant.epoch', true)) THEN
                    RAISE EXCEPTION 'write to % refused: epoch % does not hold the lease', TG_TABLE_NAME,
                        coalesce(nullif(current_setting('sextant.epoch', true), ''), '(none)')
                        USING ERRCODE = 'SX001';
                END IF;
                RETURN NULL;
            END
            $$
            """,
        ] + fencedTables.map { table in
            "CREATE TRIGGER \(table)_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION sextant_fence()"
        }),
    ]
}
