import SextantYAML

extension DataContract {
    func validate(into issues: inout Issues) {
        if kind != "DataContract" { issues.add(["kind"], "kind must be DataContract") }
        if id.isEmpty { issues.add(["id"], "id is empty; ODCS contracts need a unique id, like urn:datacontract:transactions") }
        guard let schema, !schema.isEmpty else {
            issues.add(["schema"], "the contract has no schema; list the table and its properties")
            return
        }
        var tables = Set<String>()
        for (tableIndex, table) in schema.enumerated() {
            let tablePath = FieldPath(["schema", .index(tableIndex)])
            if !tables.insert(table.name).inserted {
                issues.add(tablePath.appending("name"), "table \"\(table.name)\" is defined twice")
            }
            let properties = table.properties ?? []
            if properties.isEmpty {
                issues.add(tablePath, "table \"\(table.name)\" has no properties; list its columns")
            }
            var columns = Set<String>()
            for (index, property) in properties.enumerated() {
                let path = tablePath.appending("properties").appending(index: index)
                if !columns.insert(property.name).inserted {
                    issues.add(path.appending("name"), "column \"\(property.name)\" is defined twice in table \(table.name)")
                }
                property.validate(at: path, into: &issues)
            }
            for (index, rule) in (table.quality ?? []).enumerated() {
                rule.validate(at: tablePath.appending("quality").appending(index: index), property: nil, columns: columns, into: &issues)
            }
        }
    }
}

extension ContractProperty {
    func validate(at path: FieldPath, into issues: inout Issues) {
        if logicalType == nil {
            issues.add(path, "column \"\(name)\" has no logicalType; Sextant checks \(LogicalType.allowedValues)")
        }
        if let options = logicalTypeOptions {
            let optionsPath = path.appending("logicalTypeOptions")
            let numeric = logicalType?.isNumeric ?? false
            let ordered = numeric || logicalType == .date || logicalType == .timestamp
            for (name, value) in [("minimum", options.minimum), ("maximum", options.maximum)] {
                guard let value else { continue }
                if !ordered {
                    issues.add(optionsPath.appending(name), "\(name) applies to number, integer, date and timestamp columns", atKey: true)
                } else if numeric, value.number == nil {
                    issues.add(optionsPath.appending(name), "\(name) of a \(logicalType!.rawValue) column must be a number")
                }
            }
            for (name, value) in [("exclusiveMinimum", options.exclusiveMinimum), ("exclusiveMaximum", options.exclusiveMaximum)] {
                guard let value else { continue }
                if !ordered {
                    issues.add(optionsPath.appending(name), "\(name) applies to number, integer, date and timestamp columns", atKey: true)
                } else if value.bool == nil, numeric, value.number == nil {
                    issues.add(optionsPath.appending(name), "\(name) must be a number (ODCS v3.1) or true/false (v3.0)")
                }
            }
            if let minimum = options.minimum?.number, let maximum = options.maximum?.number, minimum > maximum {
                issues.add(optionsPath.appending("maximum"), "maximum \(maximum.manifestText) is below minimum \(minimum.manifestText)")
            }
            for (name, value) in [("minLength", options.minLength), ("maxLength", options.maxLength)] {
                guard let value else { continue }
                if logicalType != .string {
                    issues.add(optionsPath.appending(name), "\(name) applies to string columns", atKey: true)
                } else if value < 0 {
                    issues.add(optionsPath.appending(name), "\(name) must be 0 or more")
                }
            }
            if let minLength = options.minLength, let maxLength = options.maxLength, minLength > maxLength {
                issues.add(optionsPath.appending("maxLength"), "maxLength \(maxLength) is below minLength \(minLength)")
            }
            if let pattern = options.pattern {
                if logicalType != .string {
                    issues.add(optionsPath.appending("pattern"), "pattern applies to string columns", atKey: true)
                } else if let problem = Self.regexProblem(pattern) {
                    issues.add(optionsPath.appending("pattern"), "pattern is not a valid regular expression: \(problem)")
                }
            }
        }
        for (index, rule) in (quality ?? []).enumerated() {
            rule.validate(at: path.appending("quality").appending(index: index), property: self, columns: [], into: &issues)
        }
    }

    static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension QualityRule {
    func validate(at path: FieldPath, property: ContractProperty?, columns: Set<String>, into issues: inout Issues) {
        guard let name = libraryMetric else {
            if type == nil || type == "library" {
                issues.add(path, "a library quality rule needs metric (ODCS v3.1) or rule (v3.0), one of \(QualityMetric.allowedValues)")
            }
            return  // text, sql and custom rules are not Sextant's to check
        }
        let metricField = path.appending(metric != nil ? "metric" : "rule")
        guard let metric = QualityMetric(rawValue: name) else {
            issues.add(metricField, "quality metric \"\(name)\" is not one Sextant checks: \(QualityMetric.allowedValues)")
            return
        }
        if property == nil, metric != .rowCount, metric != .duplicateValues {
            issues.add(metricField, "\(name) is a column rule; move it under the property it checks")
        }
        if property != nil, metric == .rowCount {
            issues.add(metricField, "rowCount is a table rule; move it to the table's quality")
        }
        if metric == .invalidValues, arguments?.validValues == nil, arguments?.pattern == nil {
            issues.add(path, "invalidValues needs arguments.validValues or arguments.pattern")
        }
        if let pattern = arguments?.pattern, let problem = ContractProperty.regexProblem(pattern) {
            issues.add(path.appending("arguments").appending("pattern"), "pattern is not a valid regular expression: \(problem)")
        }
        if property == nil, metric == .duplicateValues {
            for (index, column) in (arguments?.properties ?? []).enumerated() where !columns.contains(column) {
                issues.add(path.appending("arguments").appending("properties").appending(index: index), "no column \"\(column)\" in this table")
            }
        }
        if let unit, unit != "rows", unit != "percent" {
            issues.add(path.appending("unit"), "unit must be rows or percent")
        }
        let comparisons: [(String, JSONValue?)] = [
            ("mustBe", mustBe), ("mustNotBe", mustNotBe), ("mustBeGreaterThan", mustBeGreaterThan),
            ("mustBeGreaterOrEqualTo", mustBeGreaterOrEqualTo), ("mustBeLessThan", mustBeLessThan),
            ("mustBeLessOrEqualTo", mustBeLessOrEqualTo),
        ]
        var count = 0
        for (field, value) in comparisons {
            guard let value else { continue }
            count += 1
            if value.number == nil { issues.add(path.appending(field), "\(field) must be a number") }
        }
        for (field, value) in [("mustBeBetween", mustBeBetween), ("mustNotBeBetween", mustNotBeBetween)] {
            guard let value else { continue }
            count += 1
            let numbers = value.compactMap(\.number)
            if numbers.count != 2 || value.count != 2 {
                issues.add(path.appending(field), "\(field) takes two numbers, [low, high]")
            } else if numbers[0] > numbers[1] {
                issues.add(path.appending(field), "\(field) [\(numbers[0].manifestText), \(numbers[1].manifestText)] is empty; write [low, high]")
            }
        }
        if count == 0 {
            issues.add(path, "the rule has no comparison; add one such as mustBe: 0")
        } else if count > 1 {
            issues.add(path, "the rule has \(count) comparisons; give exactly one (split it into several rules)")
        }
    }
}
