import Foundation

/// A small deterministic table for models the quickstart does not cover: a number with
/// missing values (`size`), a text column with missing values (`colour`), an integer
/// (`weight`), and three targets — text classes (`grade`), integer classes (`tier`) and a
/// value (`price`).
enum SyntheticItems {
    static let features = [TabularFeature("size", "FP64"), TabularFeature("colour", "BYTES"), TabularFeature("weight", "INT64")]

    static func csv(rows: Int = 240) -> String {
        var state: UInt64 = 0x5EED
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let colours = ["red", "green", "blue", "amber"]
        var lines = ["size,colour,weight,grade,tier,price"]
        for row in 0..<rows {
            let size = (next() * 1000).rounded() / 10
            let colour = colours[Int(next() * 4)]
            let weight = 1 + Int(next() * 50)
            let score = size / 25 + Double(weight) / 12 + (colour == "red" ? 2 : colour == "blue" ? -1 : 0) + next() * 3
            let tier = score < 3.5 ? 1 : score < 6 ? 2 : 3
            let grade = ["low", "mid", "high"][tier - 1]
            let price = 2 * size + 0.5 * Double(weight) + (colour == "amber" ? 15 : 0) + next() * 10
            let sizeField = row % 13 == 5 ? "" : "\(size)"
            let colourField = row % 7 == 3 ? "" : colour
            lines.append("\(sizeField),\(colourField),\(weight),\(grade),\(tier),\((price * 100).rounded() / 100)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
