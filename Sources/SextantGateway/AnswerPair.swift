import NIOCore
import NIOPosix

/// The served answer and a mirror's answer to the same request, compared off the event
/// loop once both are in, when both were 2xx JSON.
final class AnswerPair {
    private let gateway: Gateway
    private let model: String
    private let revision: Int
    private var servedSide: ByteBuffer??
    private var mirrorSide: ByteBuffer??

    init(gateway: Gateway, model: String, revision: Int) {
        self.gateway = gateway
        self.model = model
        self.revision = revision
    }

    /// The client's answer when it can be compared (2xx, JSON, whole), else nil.
    func served(_ answer: ByteBuffer?) {
        guard servedSide == nil else { return }
        servedSide = .some(answer)
        compareIfComplete()
    }

    func mirrored(_ answer: ByteBuffer?) {
        guard mirrorSide == nil else { return }
        mirrorSide = .some(answer)
        compareIfComplete()
    }

    private func compareIfComplete() {
        guard case .some(let served) = servedSide, case .some(let mirror) = mirrorSide else { return }
        guard let served, let mirror else { return }
        let counters = gateway.counters, model = model, revision = revision
        NIOThreadPool.singleton.submit { state in
            guard state == .active, let comparison = AnswerComparison(served: served.readableBytesView, mirror: mirror.readableBytesView) else { return }
            counters.compared(model: model, revision: revision, comparison)
        }
    }
}
