package import SextantAPI

/// What a change to a data contract means for the data it governs: breaking when data that
/// met the old contract may fail the new one.
package struct ContractFinding: Sendable, Hashable, Codable {
    package var breaking: Bool
    package var message: String

    package init(breaking: Bool, _ message: String) {
        self.breaking = breaking
        self.message = message
    }
}

package enum ContractReview {
    package static func findings(before: DataContract, after: DataContract) -> [ContractFinding] {
        var findings: [ContractFinding] = []
        let oldTables = Dictionary((before.schema ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newTables = Dictionary((after.schema ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in oldTables.keys.sorted() where newTables[name] == nil {
            findings.append(ContractFinding(breaking: true, "table \(name) removed"))
        }
        for name in newTables.keys.sorted() {
            guard let old = oldTables[name] else {
                findings.append(ContractFinding(breaking: false, "table \(name) added"))
                continue
            }
            findings += table(old, newTables[name]!)
        }
        return findings
    }

    static func table(_ old: ContractTable, _ new: ContractTable) -> [ContractFinding] {
        var findings: [ContractFinding] = []
        let oldColumns = Dictionary((old.properties ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for column in (old.properties ?? []) where !(new.properties ?? []).contains(where: { $0.name == column.name }) {
            findings.append(ContractFinding(breaking: true, "column \(new.name).\(column.name) removed"))
        }
        for column in new.properties ?? [] {
            let subject = "\(new.name).\(column.name)"
            guard let previous = oldColumns[column.name] else {
                let required = column.required == true || column.primaryKey == true
                findings.append(ContractFinding(breaking: required, required ? "new required column \(subject): data without it is rejected" : "new optional column \(subject)"))
                continue
            }
            findings += self.column(subject, previous, column)
        }
        findings += quality(new.name, old.quality ?? [], new.quality ?? [])
        return findings
    }

    static func column(_ subject: String, _ old: ContractProperty, _ new: ContractProperty) -> [ContractFinding] {
        var findings: [ContractFinding] = []
        if let from = old.logicalType, let to = new.logicalType, from != to {
            let widened = (from == .integer && to == .number) || to == .string
            findings.append(ContractFinding(breaking: !widened, "\(subject): type \(widened ? "widened" : "narrowed") from \(from.rawValue) to \(to.rawValue)"))
        }
        func flag(_ name: String, _ before: Bool?, _ after: Bool?) {
            switch (before == true, after == true) {
            case (false, true): findings.append(ContractFinding(breaking: true, "\(subject) is now \(name)"))
            case (true, false): findings.append(ContractFinding(breaking: false, "\(subject) is no longer \(name)"))
            default: break
            }
        }
        flag("required", old.required, new.required)
        flag("unique", old.unique, new.unique)
        flag("a primary key", old.primaryKey, new.primaryKey)
        let before = old.logicalTypeOptions, after = new.logicalTypeOptions
        findings += limit(subject, "minimum", before?.minimum, after?.minimum, tighterWhenGreater: true)
        findings += limit(subject, "maximum", before?.maximum, after?.maximum, tighterWhenGreater: false)
        findings += limit(subject, "exclusiveMinimum", before?.exclusiveMinimum, after?.exclusiveMinimum, tighterWhenGreater: true)
        findings += limit(subject, "exclusiveMaximum", before?.exclusiveMaximum, after?.exclusiveMaximum, tighterWhenGreater: false)
        findings += limit(subject, "minLength", before?.minLength.map { .number(Double($0)) }, after?.minLength.map { .number(Double($0)) }, tighterWhenGreater: true)
        findings += limit(subject, "maxLength", before?.maxLength.map { .number(Double($0)) }, after?.maxLength.map { .number(Double($0)) }, tighterWhenGreater: false)
        if before?.pattern != after?.pattern {
            switch (before?.pattern, after?.pattern) {
            case (nil, let pattern?): findings.append(ContractFinding(breaking: true, "\(subject): pattern \(pattern) added"))
            case (_?, nil): findings.append(ContractFinding(breaking: false, "\(subject): pattern removed"))
            case (let old?, let new?): findings.append(ContractFinding(breaking: true, "\(subject): pattern changed from \(old) to \(new)"))
            default: break
            }
        }
        findings += quality(subject, old.quality ?? [], new.quality ?? [])
        return findings
    }

    /// A limit that appears, moves inward, disappears or moves outward.
    static func limit(_ subject: String, _ name: String, _ before: JSONValue?, _ after: JSONValue?, tighterWhenGreater: Bool) -> [ContractFinding] {
        // `5` and `5.0` are one limit.
        guard before != after, before?.number == nil || before?.number != after?.number else { return [] }
        switch (before, after) {
        case (nil, let new?):
            return [ContractFinding(breaking: true, "\(subject): \(name) \(new.compactText) added")]
        case (let old?, nil):
            return [ContractFinding(breaking: false, "\(subject): \(name) \(old.compactText) removed")]
        case (let old?, let new?):
            let greater: Bool
            if let a = old.number, let b = new.number {
                greater = b > a
            } else if case .string(let a) = old, case .string(let b) = new {
                greater = b > a  // ISO dates order as text
            } else {
                greater = tighterWhenGreater  // a flag or a change of kind: assume stricter
            }
            let tighter = greater == tighterWhenGreater
            return [ContractFinding(breaking: tighter, "\(subject): \(name) \(tighter ? "narrowed" : "widened") from \(old.compactText) to \(new.compactText)")]
        default:
            return []
        }
    }

    /// Quality rules added or changed may reject data that passed; removed ones cannot.
    static func quality(_ subject: String, _ old: [QualityRule], _ new: [QualityRule]) -> [ContractFinding] {
        let oldRules = Set(old.filter { $0.libraryMetric != nil })
        let newRules = Set(new.filter { $0.libraryMetric != nil })
        var findings: [ContractFinding] = []
        for rule in newRules.subtracting(oldRules).sorted(by: { $0.summary < $1.summary }) {
            let replaces = oldRules.subtracting(newRules).contains { $0.libraryMetric == rule.libraryMetric }
            if replaces, rule.isLooser(thanAny: oldRules.subtracting(newRules)) {
                findings.append(ContractFinding(breaking: false, "\(subject): quality rule relaxed to \(rule.summary)"))
            } else {
                findings.append(ContractFinding(breaking: true, "\(subject): quality rule \(replaces ? "changed to" : "added:") \(rule.summary)"))
            }
        }
        for rule in oldRules.subtracting(newRules) where !newRules.contains(where: { $0.libraryMetric == rule.libraryMetric }) {
            findings.append(ContractFinding(breaking: false, "\(subject): quality rule removed: \(rule.summary)"))
        }
        return findings
    }
}

extension QualityRule {
    /// `invalidValues mustBe 0 (validValues [eu, us])`
    var summary: String {
        var parts = [libraryMetric ?? "rule"]
        let comparisons: [(String, JSONValue?)] = [
            ("mustBe", mustBe), ("mustNotBe", mustNotBe), ("mustBeGreaterThan", mustBeGreaterThan),
            ("mustBeGreaterOrEqualTo", mustBeGreaterOrEqualTo), ("mustBeLessThan", mustBeLessThan), ("mustBeLessOrEqualTo", mustBeLessOrEqualTo),
        ]
        for (name, value) in comparisons { if let value { parts.append("\(name) \(value.compactText)") } }
        if let range = mustBeBetween { parts.append("mustBeBetween \(JSONValue.array(range).compactText)") }
        if let range = mustNotBeBetween { parts.append("mustNotBeBetween \(JSONValue.array(range).compactText)") }
        if let unit { parts.append(unit) }
        if let valid = arguments?.validValues { parts.append("(validValues \(JSONValue.array(valid).compactText))") }
        if let pattern = arguments?.pattern { parts.append("(pattern \(pattern))") }
        return parts.joined(separator: " ")
    }

    /// True when this rule is an `invalidValues` rule that only adds valid values to one of
    /// `others`, or a limit on a count that moved outward: data that passed still passes.
    func isLooser(thanAny others: Set<QualityRule>) -> Bool {
        others.contains { other in
            guard other.libraryMetric == libraryMetric, other.unit == unit else { return false }
            if let valid = arguments?.validValues, let previous = other.arguments?.validValues {
                var same = self
                same.arguments?.validValues = previous
                return same == other && Set(valid).isSuperset(of: Set(previous))
            }
            switch (other.mustBeLessThan?.number, mustBeLessThan?.number, other.mustBeLessOrEqualTo?.number, mustBeLessOrEqualTo?.number) {
            case (let a?, let b?, nil, nil): return b >= a
            case (nil, nil, let a?, let b?): return b >= a
            default: break
            }
            switch (other.mustBeGreaterThan?.number, mustBeGreaterThan?.number, other.mustBeGreaterOrEqualTo?.number, mustBeGreaterOrEqualTo?.number) {
            case (let a?, let b?, nil, nil): return b <= a
            case (nil, nil, let a?, let b?): return b <= a
            default: return false
            }
        }
    }
}
