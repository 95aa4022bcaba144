/// Rows of cells as aligned text: every column padded to its widest cell, two spaces
/// apart, the last one unpadded. Given a width the table does not fit, columns are one
/// space apart and those listed in `shrinking` give way, in that order, each down to its
/// floor, their cells cut with `…`; a table still too wide has its lines cut, so no line
/// ever wraps.
enum TextTable {
    /// A column that gives way to fit a width: cut down to `floor` columns at most.
    struct Shrink: Sendable {
        var column: Int
        var floor: Int
    }

    static func lines(_ rows: [[String]], width: Int? = nil, shrinking: [Shrink] = []) -> [String] {
        guard let first = rows.first else { return [] }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.displayWidth) } }
        var gap = 2
        if let width, total(widths, gap: gap) > width {
            gap = 1
            fit(&widths, to: width, gap: gap, shrinking: shrinking)
        }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                let shown = cell.fitted(to: widths[index])
                line += index == row.count - 1 ? shown : shown.padded(to: widths[index] + gap)
            }
            while line.last == " " { line.removeLast() }
            return width.map { line.fitted(to: $0) } ?? line
        }
    }

    private static func total(_ widths: [Int], gap: Int) -> Int {
        widths.reduce(0, +) + gap * max(0, widths.count - 1)
    }

    /// Narrows the shrinkable columns, in order, until the table fits `width` or every one
    /// is at its floor.
    private static func fit(_ widths: inout [Int], to width: Int, gap: Int, shrinking: [Shrink]) {
        var total = total(widths, gap: gap)
        for shrink in shrinking where total > width && widths.indices.contains(shrink.column) {
            let cut = min(total - width, max(0, widths[shrink.column] - shrink.floor))
            widths[shrink.column] -= cut
            total -= cut
        }
    }
}
