import Foundation
import Hummingbird
import SextantAPI
import SextantSource
import Synchronization

/// What each forge documents, as the stand-in checks and answers it.
/// * GitHub REST 2022-11-28, docs.github.com/en/rest/pulls/pulls: list, create (201; 422
///   "A pull request already exists"), update (PATCH, 200), get; `pull-request` objects.
/// * Gitea `/api/v1` swagger: repoListPullRequests (`state`, `page`, `limit`),
///   repoCreatePullRequest (`CreatePullRequestOption`, 201; 409 when one is open),
///   repoEditPullRequest (`EditPullRequestOption`, PATCH, 201), repoGetPullRequest.
/// * GitLab `/api/v4`, docs.gitlab.com/api/merge_requests: list (`source_branch`,
///   `state=opened`), create (201; 409 "Another open merge request already exists"),
///   update (PUT, 200), get; the project id is the URL-encoded path.
/// Unknown top-level fields are refused (the real forges ignore them): a misspelt field
/// would otherwise be silently dropped. Title and body limits are DESIGN §8's.
extension ForgeStandIn {
    enum FieldType {
        case string, integer, boolean, strings, integers

        func matches(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.boolean, .bool): true
            case (.integer, .number(let number)): number == number.rounded()
            case (.integer, .integer): true
            case (.strings, .array(let items)): items.allSatisfy { FieldType.string.matches($0) }
            case (.integers, .array(let items)): items.allSatisfy { FieldType.integer.matches($0) }
            default: false
            }
        }
    }

    /// A body's documented fields: type, and whether required.
    typealias Schema = [String: (FieldType, required: Bool)]

    static func prefix(_ kind: ForgeKind) -> String {
        switch kind {
        case .github: ""
        case .gitlab: "/api/v4"
        case .gitea: "/api/v1"
        }
    }

    static func createSchema(_ kind: ForgeKind) -> Schema {
        switch kind {
        case .github:
            ["title": (.string, true), "head": (.string, true), "base": (.string, true), "body": (.string, false),
             "head_repo": (.string, false), "issue": (.integer, false), "draft": (.boolean, false), "maintainer_can_modify": (.boolean, false)]
        case .gitea:
            ["head": (.string, true), "base": (.string, true), "title": (.string, true), "body": (.string, false),
             "assignee": (.string, false), "assignees": (.strings, false), "milestone": (.integer, false), "labels": (.integers, false),
             "due_date": (.string, false), "reviewers": (.strings, false), "team_reviewers": (.strings, false)]
        case .gitlab:
            ["source_branch": (.string, true), "target_branch": (.string, true), "title": (.string, true), "description": (.string, false),
             "assignee_id": (.integer, false), "assignee_ids": (.integers, false), "reviewer_ids": (.integers, false), "labels": (.string, false),
             "milestone_id": (.integer, false), "remove_source_branch": (.boolean, false), "allow_collaboration": (.boolean, false),
             "squash": (.boolean, false), "target_project_id": (.integer, false)]
        }
    }

    static func updateSchema(_ kind: ForgeKind) -> Schema {
        switch kind {
        case .github:
            ["title": (.string, false), "body": (.string, false), "state": (.string, false), "base": (.string, false), "maintainer_can_modify": (.boolean, false)]
        case .gitea:
            ["title": (.string, false), "body": (.string, false), "base": (.string, false), "assignee": (.string, false), "assignees": (.strings, false),
             "milestone": (.integer, false), "labels": (.integers, false), "state": (.string, false), "due_date": (.string, false),
             "unset_due_date": (.boolean, false), "allow_maintainer_edit": (.boolean, false)]
        case .gitlab:
            ["title": (.string, false), "description": (.string, false), "target_branch": (.string, false), "state_event": (.string, false),
             "assignee_id": (.integer, false), "assignee_ids": (.integers, false), "reviewer_ids": (.integers, false), "labels": (.string, false),
             "milestone_id": (.integer, false), "remove_source_branch": (.boolean, false), "squash": (.boolean, false),
             "discussion_locked": (.boolean, false), "allow_collaboration": (.boolean, false)]
        }
    }

    /// The field names of the title, body, source and target branch.
    var fields: (title: String, body: String, head: String, base: String) {
        kind == .gitlab ? ("title", "description", "source_branch", "target_branch") : ("title", "body", "head", "base")
    }

    static func unauthorized(_ kind: ForgeKind) -> String {
        switch kind {
        case .github: "Bad credentials"
        case .gitlab: "401 Unauthorized"
        case .gitea: "token is required"
        }
    }

    /// Each forge's error body: GitHub `{message, documentation_url}`, Gitea `{message, url}`,
    /// GitLab `{message}`.
    func errorBody(_ status: Int, _ message: String) -> [String: Any] {
        switch kind {
        case .github: ["message": message, "documentation_url": "https://docs.github.com/rest", "status": "\(status)"]
        case .gitea: ["message": message, "url": "http://127.0.0.1:\(port)/api/swagger"]
        case .gitlab: ["message": message]
        }
    }

    /// A refused body: GitHub 422 "Validation Failed" with `errors`, Gitea 422, GitLab 400.
    private func invalid(_ field: String, _ problem: String) -> Response {
        switch kind {
        case .github:
            reply(422, ["message": "Validation Failed", "errors": [["resource": "PullRequest", "field": field, "code": problem]],
                        "documentation_url": "https://docs.github.com/rest/pulls/pulls"])
        case .gitea: reply(422, errorBody(422, "[\(field)]: \(problem)"))
        case .gitlab: reply(400, ["error": "\(field) \(problem)"])
        }
    }

    private func validate(_ json: [String: JSONValue]?, _ schema: Schema) -> Response? {
        let json = json ?? [:]
        for key in json.keys.sorted() where schema[key] == nil { return invalid(key, "is not a documented field") }
        for (key, (type, required)) in schema.sorted(by: { $0.key < $1.key }) {
            guard let value = json[key] else {
                if required { return invalid(key, "is missing") }
                continue
            }
            guard type.matches(value) else { return invalid(key, "has another type") }
        }
        if let title = json[fields.title]?.string, title.unicodeScalars.count > 255 || title.contains("\n") {
            return invalid(fields.title, "is too long (maximum is 255 characters) or not one line")
        }
        if let body = json[fields.body]?.string, body.unicodeScalars.count > 65_536 {
            return invalid(fields.body, "is too long (maximum is 65536 characters)")
        }
        return nil
    }

    private var collection: String {
        Self.prefix(kind) + (kind == .gitlab ? "/projects/acme%2Fmodels/merge_requests" : "/repos/acme/models/pulls")
    }

    /// Only the documented method/path pairs; anything else is 404, as on the forges.
    func route(_ method: String, path: String, query: [String: String], json: [String: JSONValue]?) -> Response {
        let notFound = reply(404, errorBody(404, kind == .gitlab ? "404 Not found" : "Not Found"))
        if path == collection {
            switch method {
            case "GET": return list(query)
            case "POST": return validate(json, Self.createSchema(kind)) ?? create(json!)
            default: return notFound
            }
        }
        guard path.hasPrefix(collection + "/"), let number = Int(path.dropFirst(collection.count + 1)),
              let pull = state.withLock({ $0.pulls.first { $0.number == number } }) else { return notFound }
        switch (method, kind) {
        case ("GET", _):
            return reply(200, object(pull, single: true))
        case ("PATCH", .github), ("PATCH", .gitea), ("PUT", .gitlab):
            if let refusal = validate(json, Self.updateSchema(kind)) { return refusal }
            let updated = state.withLock { state -> Pull in
                let index = state.pulls.firstIndex { $0.number == number }!
                if let title = json?[fields.title]?.string { state.pulls[index].title = title }
                if let body = json?[fields.body]?.string { state.pulls[index].body = body }
                return state.pulls[index]
            }
            return reply(kind == .gitea ? 201 : 200, object(updated, single: true))
        default:
            return notFound
        }
    }

    private func list(_ query: [String: String]) -> Response {
        let pulls = state.withLock { $0 }
        switch kind {
        case .github:
            guard query["state"] == "open", let head = query["head"], head.hasPrefix("acme:") else {
                return reply(422, errorBody(422, "the stand-in needs head=acme:BRANCH&state=open"))
            }
            let found = pulls.pulls.filter { !$0.closed && !$0.fromFork && "acme:\($0.head)" == head }
            return reply(200, found.map { object($0, single: false) })
        case .gitlab:
            guard query["state"] == "opened", let branch = query["source_branch"] else {
                return reply(400, ["error": "the stand-in needs source_branch=BRANCH&state=opened"])
            }
            return reply(200, pulls.pulls.filter { !$0.closed && $0.head == branch }.map { object($0, single: false) })
        case .gitea:
            guard query["state"] == "open", let page = Int(query["page"] ?? "1"), page >= 1 else {
                return reply(422, errorBody(422, "the stand-in needs state=open"))
            }
            let limit = min(Int(query["limit"] ?? "") ?? pulls.maxPageItems, pulls.maxPageItems)
            let open = pulls.pulls.filter { !$0.closed }
            return reply(200, open.dropFirst((page - 1) * limit).prefix(limit).map { object($0, single: false) })
        }
    }

    private func create(_ json: [String: JSONValue]) -> Response {
        let head = json[fields.head]!.string!
        let outcome = state.withLock { state -> (existing: Int?, created: Pull?) in
            if state.humanOpensOnNextCreate {
                state.humanOpensOnNextCreate = false
                _ = state.add(head: head, base: json[fields.base]!.string!, title: "opened by hand", body: "")
            }
            if let open = state.pulls.first(where: { $0.head == head && !$0.closed && !$0.fromFork }) { return (open.number, nil) }
            let number = state.add(head: head, base: json[fields.base]!.string!, title: json[fields.title]!.string!, body: json[fields.body]?.string ?? "")
            return (nil, state.pulls.first { $0.number == number })
        }
        if let created = outcome.created { return reply(201, object(created, single: true)) }
        let number = outcome.existing!
        switch kind {
        case .github:
            return reply(422, ["message": "Validation Failed", "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                               "errors": [["resource": "PullRequest", "code": "custom", "message": "A pull request already exists for acme:\(head)."]]])
        case .gitea:
            return reply(409, errorBody(409, "pull request already exists for these targets [id: \(number), issue_id: \(number), head_repo_id: 1, base_repo_id: 1, head_branch: \(head), base_branch: main]"))
        case .gitlab:
            return reply(409, ["message": ["Another open merge request already exists for this source branch: !\(number)"]])
        }
    }

    /// A pull request in its forge's documented shape. GitHub's list items are
    /// `pull-request-simple`, without `merged`.
    func object(_ pull: Pull, single: Bool) -> [String: Any] {
        let mergedAt: Any = pull.merged ? "2026-01-02T03:04:05Z" : NSNull()
        let headRepository = pull.fromFork ? 2 : 1
        switch kind {
        case .github:
            var object: [String: Any] = [
                "number": pull.number, "html_url": "https://github.com/acme/models/pull/\(pull.number)", "state": pull.closed ? "closed" : "open",
                "title": pull.title, "body": pull.body, "merged_at": mergedAt,
                "head": ["label": "acme:\(pull.head)", "ref": pull.head, "sha": pull.sha, "repo": ["id": headRepository]],
                "base": ["label": "acme:\(pull.base)", "ref": pull.base, "sha": String(repeating: "b", count: 40), "repo": ["id": 1]],
            ]
            if single { object["merged"] = pull.merged }
            return object
        case .gitea:
            return [
                "id": 100 + pull.number, "number": pull.number, "html_url": "http://127.0.0.1:\(port)/acme/models/pulls/\(pull.number)",
                "state": pull.closed ? "closed" : "open", "title": pull.title, "body": pull.body, "merged": pull.merged, "merged_at": mergedAt,
                "head": ["label": pull.head, "ref": pull.head, "sha": pull.sha, "repo_id": headRepository],
                "base": ["label": pull.base, "ref": pull.base, "sha": String(repeating: "b", count: 40), "repo_id": 1],
            ]
        case .gitlab:
            return [
                "id": 1000 + pull.number, "iid": pull.number, "project_id": 1,
                "web_url": "http://127.0.0.1:\(port)/acme/models/-/merge_requests/\(pull.number)",
                "state": pull.merged ? "merged" : pull.closed ? "closed" : "opened", "title": pull.title, "description": pull.body,
                "source_branch": pull.head, "target_branch": pull.base, "source_project_id": headRepository, "target_project_id": 1,
                "sha": pull.sha, "merged_at": mergedAt,
            ]
        }
    }
}
