/// A value stored out of line, behind one pointer, with value semantics: for a large field
/// that most values leave empty (a model's status fields are about 1 KB inline, and status
/// keeps 10,000 objects, 8 in 10 of them not models).
package indirect enum Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    case boxed(Value)

    package var value: Value {
        switch self {
        case .boxed(let value): value
        }
    }
}
