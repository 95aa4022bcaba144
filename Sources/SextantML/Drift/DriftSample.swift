/// One feature's two samples cleaned as Evidently cleans them (missing values, NaN and ±∞
/// dropped), in the form its tests read: sorted numbers, or counts per category.
enum DriftSample {
    /// Both sides ascending.
    case numerical(reference: [Double], current: [Double])
    case categorical(reference: CategoryCounts, current: CategoryCounts)

    /// The samples of a column judged `kind`. Categories from numbers group by value (as
    /// pandas groups a numeric column); when one side came as text, numbers become their
    /// canonical text (`3`, not `3.0`) so that they meet the other side's values.
    init(_ column: DriftColumn, kind: FeatureKind) {
        switch (kind, column.reference, column.current) {
        case (.numerical, .numbers(let reference), .numbers(let current)):
            self = .numerical(reference: Self.finiteSorted(reference), current: Self.finiteSorted(current))
        case (_, .numbers(let reference), .numbers(let current)):
            self = .categorical(reference: CategoryCounts(numbers: reference), current: CategoryCounts(numbers: current))
        default:
            self = .categorical(reference: CategoryCounts(texts: column.reference), current: CategoryCounts(texts: column.current))
        }
    }

    var referenceCount: Int {
        switch self {
        case .numerical(let reference, _): reference.count
        case .categorical(let reference, _): reference.total
        }
    }

    var currentCount: Int {
        switch self {
        case .numerical(_, let current): current.count
        case .categorical(_, let current): current.total
        }
    }

    /// Distinct values of both sides together (pandas `nunique` of the concatenation).
    var distinctValues: Int {
        switch self {
        case .numerical(let reference, let current):
            SortedSamples.distinctCount(reference, current)
        case .categorical(let reference, let current):
            Set(reference.counts.keys).union(current.counts.keys).count
        }
    }

    /// The same samples as categories (a numerical feature with few values tested by
    /// chi-square, z or binned by value).
    var categories: (reference: CategoryCounts, current: CategoryCounts) {
        switch self {
        case .numerical(let reference, let current):
            (CategoryCounts(numbers: reference), CategoryCounts(numbers: current))
        case .categorical(let reference, let current):
            (reference, current)
        }
    }

    private static func finiteSorted(_ values: [Double?]) -> [Double] {
        values.compactMap { $0 }.filter(\.isFinite).sorted()
    }
}

/// A category: numbers keep their value so they group and sort as pandas does.
enum Category: Hashable, Comparable {
    case number(Double)
    case text(String)

    static func < (lhs: Category, rhs: Category) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): a < b
        case (.text(let a), .text(let b)): a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case (.number, .text): true
        case (.text, .number): false
        }
    }
}

/// How often each category occurs on one side.
struct CategoryCounts {
    var counts: [Category: Int] = [:]
    var total = 0

    init(numbers: [Double?]) {
        for case let value? in numbers where value.isFinite {
            add(.number(value == 0 ? 0 : value))  // -0 and 0 are one value
        }
    }

    init(texts values: DriftValues) {
        switch values {
        case .numbers(let numbers):
            for case let value? in numbers where value.isFinite { add(.text(formatNumber(value))) }
        case .categories(let texts):
            for case let value? in texts { add(.text(value)) }
        }
    }

    func count(of category: Category) -> Int {
        counts[category] ?? 0
    }

    private mutating func add(_ category: Category) {
        counts[category, default: 0] += 1
        total += 1
    }
}
