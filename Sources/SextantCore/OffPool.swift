import Dispatch

/// Runs CPU-bound or blocking work on a Dispatch queue, not on the cooperative pool.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

/// Runs CPU-bound or blocking work that may fail on a Dispatch queue, not on the cooperative pool.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () throws(ActionError) -> T) async throws(ActionError) -> T {
    let result: Result<T, ActionError> = await offPool {
        do throws(ActionError) { return .success(try work()) } catch { return .failure(error) }
    }
    return try result.get()
}
