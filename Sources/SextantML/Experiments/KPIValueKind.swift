/// What a KPI's values are, which decides how two arms are compared (DESIGN §10). It mirrors
/// SextantAPI's `KPIKind` (same raw values), which SextantML cannot see.
package enum KPIValueKind: String, Sendable, Hashable, CaseIterable {
    /// 0/1 outcomes (converted or not): compared as two proportions, with a z test.
    case proportion
    /// Any numbers (revenue, seconds): compared as two means, with Welch's t test.
    case mean
}
