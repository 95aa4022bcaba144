import Testing
import SextantAPI

@Suite struct IgnoreRulesTests {
    static let rules = IgnoreRules("""
        # drafts are not applied
        drafts/
        *.tmp.yaml
        /top.yaml
        experiments/**/old.yaml
        legacy/*
        !legacy/keep.yaml

        """)

    @Test("gitignore patterns select what the loader skips", arguments: [
        ("drafts/model.yaml", true),
        ("team/drafts/model.yaml", true),
        ("drafts.yaml", false),
        ("models/a.tmp.yaml", true),
        ("top.yaml", true),
        ("sub/top.yaml", false),
        ("experiments/old.yaml", true),
        ("experiments/a/b/old.yaml", true),
        ("experiments/a/new.yaml", false),
        ("legacy/x.yaml", true),
        ("legacy/keep.yaml", false),
        ("models/fraud.yaml", false),
    ])
    func ignores(path: String, ignored: Bool) {
        #expect(Self.rules.ignores(path) == ignored)
    }

    @Test("no rules ignore nothing")
    func empty() {
        #expect(!IgnoreRules("# nothing\n\n").ignores("a/b.yaml"))
    }
}
