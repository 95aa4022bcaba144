#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// How a solver finished.
package struct ConvergenceReport: Codable, Sendable, Hashable {
    package var iterations: Int
    package var converged: Bool
    /// The largest absolute component of the objective's gradient at the solution.
    package var gradientNorm: Double
    /// Mean loss plus `(l2/2)·‖w‖²` at the solution.
    package var objective: Double
}

/// Fitted linear parameters: one row of weights per output (binary and regression: one;
/// multiclass: one per class), and an intercept per row.
struct LinearFit {
    var weights: [[Double]]
    var intercepts: [Double]
    var report: ConvergenceReport
}

/// The built-in solvers. Each minimises the **mean** loss over the rows plus
/// `(l2/2)·‖w‖²`, the intercepts unpenalised (DESIGN §2), on a row-major design matrix.
enum Solvers {
    /// log(1 + eᶻ) without overflow.
    @inline(__always)
    static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }

    @inline(__always)
    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// Binary logistic regression by Newton's method (IRLS) with a backtracking line search,
    /// to a gradient below `tolerance` (∞-norm).
    static func logistic(x: [Double], rows n: Int, width d: Int, labels y: [Double], l2: Double,
                         maxIterations: Int, tolerance: Double) -> LinearFit {
        let p = d + 1  // the intercept is the last parameter
        var theta = [Double](repeating: 0, count: p)
        func objective(_ theta: [Double]) -> Double {
            let loss = blockSums(rows: n, size: 1) { range, sums in
                x.withUnsafeBufferPointer { x in
                    theta.withUnsafeBufferPointer { theta in
                        for row in range {
                            var z = theta[d]
                            let base = row * d
                            for j in 0..<d { z += x[base + j] * theta[j] }
                            sums[0] += softplus(z) - y[row] * z
                        }
                    }
                }
            }[0]
            var penalty = 0.0
            for j in 0..<d { penalty += theta[j] * theta[j] }
            return loss / Double(n) + l2 / 2 * penalty
        }
        var value = objective(theta)
        var iterations = 0
        var gradientNorm = Double.infinity
        var gradient = [Double](repeating: 0, count: p)
        var hessian = [Double](repeating: 0, count: p * p)
        while iterations < maxIterations {
            // The hot loop: X̃ᵀ(p − y) and the lower triangle of X̃ᵀ·diag(p(1−p))·X̃, in a
            // fixed number of row blocks summed in order (the same result on any number of
            // cores), on raw buffers so the inner products vectorise.
            let current = theta
            let sums = blockSums(rows: n, size: p + p * p) { range, sums in
                var inputs = [Double](repeating: 1, count: p)
                x.withUnsafeBufferPointer { x in
                    current.withUnsafeBufferPointer { theta in
                        inputs.withUnsafeMutableBufferPointer { inputs in
                            for row in range {
                                let base = row * d
                                var z = theta[d]
                                for j in 0..<d {
                                    inputs[j] = x[base + j]
                                    z += inputs[j] * theta[j]
                                }
                                let probability = sigmoid(z)
                                let residual = probability - y[row]
                                let weight = probability * (1 - probability)
                                for a in 0..<p {
                                    sums[a] += residual * inputs[a]
                                    let scaled = weight * inputs[a]
                                    let offset = p + a * p
                                    for b in 0...a { sums[offset + b] += scaled * inputs[b] }
                                }
                            }
                        }
                    }
                }
            }
            for a in 0..<p { gradient[a] = sums[a] }
            for a in 0..<(p * p) { hessian[a] = sums[p + a] }
            let scale = 1 / Double(n)
            for a in 0..<p {
                gradient[a] = gradient[a] * scale + (a < d ? l2 * theta[a] : 0)
                for b in 0...a {
                    hessian[a * p + b] = hessian[a * p + b] * scale + (a == b && a < d ? l2 : 0)
                    hessian[b * p + a] = hessian[a * p + b]
                }
            }
            gradientNorm = gradient.map(abs).max() ?? 0
            if gradientNorm <= tolerance { break }
            let step = Cholesky.solve(hessian, gradient.map { -$0 }, size: p)
            (theta, value) = lineSearch(theta, step, gradient, value, objective)
            iterations += 1
        }
        return LinearFit(weights: [Array(theta[0..<d])], intercepts: [theta[d]],
                         report: ConvergenceReport(iterations: iterations, converged: gradientNorm <= tolerance, gradientNorm: gradientNorm, objective: value))
    }

    /// Multinomial (softmax) logistic regression: one weight row and intercept per class,
    /// by Newton's method on all `k·(d+1)` parameters. (The intercepts are defined up to a
    /// common shift; Cholesky's diagonal shift picks one.)
    static func softmax(x: [Double], rows n: Int, width d: Int, classes y: [Int], classCount k: Int, l2: Double,
                        maxIterations: Int, tolerance: Double) -> LinearFit {
        let stride = d + 1
        let p = k * stride
        var theta = [Double](repeating: 0, count: p)
        func probabilities(_ theta: [Double], row: Int, into output: inout [Double]) {
            let base = row * d
            var largest = -Double.infinity
            for c in 0..<k {
                var z = theta[c * stride + d]
                for j in 0..<d { z += x[base + j] * theta[c * stride + j] }
                output[c] = z
                largest = max(largest, z)
            }
            var total = 0.0
            for c in 0..<k {
                output[c] = exp(output[c] - largest)
                total += output[c]
            }
            for c in 0..<k { output[c] /= total }
        }
        func objective(_ theta: [Double]) -> Double {
            var loss = 0.0
            var logits = [Double](repeating: 0, count: k)
            for row in 0..<n {
                var largest = -Double.infinity
                for c in 0..<k {
                    var z = theta[c * stride + d]
                    for j in 0..<d { z += x[row * d + j] * theta[c * stride + j] }
                    logits[c] = z
                    largest = max(largest, z)
                }
                var total = 0.0
                for c in 0..<k { total += exp(logits[c] - largest) }
                loss += largest + log(total) - logits[y[row]]
            }
            var penalty = 0.0
            for c in 0..<k { for j in 0..<d { penalty += theta[c * stride + j] * theta[c * stride + j] } }
            return loss / Double(n) + l2 / 2 * penalty
        }
        var value = objective(theta)
        var iterations = 0
        var gradientNorm = Double.infinity
        var gradient = [Double](repeating: 0, count: p)
        var hessian = [Double](repeating: 0, count: p * p)
        var probability = [Double](repeating: 0, count: k)
        var inputs = [Double](repeating: 1, count: stride)
        while iterations < maxIterations {
            for a in 0..<p { gradient[a] = 0 }
            for a in 0..<(p * p) { hessian[a] = 0 }
            for row in 0..<n {
                probabilities(theta, row: row, into: &probability)
                for j in 0..<d { inputs[j] = x[row * d + j] }
                for c in 0..<k {
                    let residual = probability[c] - (y[row] == c ? 1 : 0)
                    for j in 0..<stride { gradient[c * stride + j] += residual * inputs[j] }
                    for e in 0...c {
                        let weight = probability[c] * ((c == e ? 1 : 0) - probability[e])
                        guard weight != 0 else { continue }
                        for i in 0..<stride {
                            let scaled = weight * inputs[i]
                            let rowIndex = (c * stride + i) * p + e * stride
                            for j in 0..<stride { hessian[rowIndex + j] += scaled * inputs[j] }
                        }
                    }
                }
            }
            let scale = 1 / Double(n)
            for c in 0..<k {
                for i in 0..<stride {
                    let a = c * stride + i
                    gradient[a] = gradient[a] * scale + (i < d ? l2 * theta[a] : 0)
                }
            }
            // Only blocks with e ≤ c were accumulated (each in full): scale them, then
            // mirror the off-diagonal ones.
            for c in 0..<k {
                for e in 0...c {
                    for i in 0..<stride {
                        for j in 0..<stride {
                            let a = c * stride + i, b = e * stride + j
                            hessian[a * p + b] = hessian[a * p + b] * scale + (a == b && i < d ? l2 : 0)
                            if e < c { hessian[b * p + a] = hessian[a * p + b] }
                        }
                    }
                }
            }
            gradientNorm = gradient.map(abs).max() ?? 0
            if gradientNorm <= tolerance { break }
            let step = Cholesky.solve(hessian, gradient.map { -$0 }, size: p)
            (theta, value) = lineSearch(theta, step, gradient, value, objective)
            iterations += 1
        }
        return LinearFit(weights: (0..<k).map { Array(theta[($0 * stride)..<($0 * stride + d)]) },
                         intercepts: (0..<k).map { theta[$0 * stride + d] },
                         report: ConvergenceReport(iterations: iterations, converged: gradientNorm <= tolerance, gradientNorm: gradientNorm, objective: value))
    }

    /// Ridge regression in closed form: the normal equations of
    /// `(1/2n)‖y − Xw − b‖² + (l2/2)‖w‖²`, solved by Cholesky (a diagonal shift only for
    /// rank-deficient data without a penalty).
    static func ridge(x: [Double], rows n: Int, width d: Int, targets y: [Double], l2: Double) -> LinearFit {
        let p = d + 1
        var normal = [Double](repeating: 0, count: p * p)
        var right = [Double](repeating: 0, count: p)
        var inputs = [Double](repeating: 1, count: p)
        for row in 0..<n {
            for j in 0..<d { inputs[j] = x[row * d + j] }
            for a in 0..<p {
                right[a] += inputs[a] * y[row]
                for b in 0...a { normal[a * p + b] += inputs[a] * inputs[b] }
            }
        }
        let scale = 1 / Double(n)
        for a in 0..<p {
            right[a] *= scale
            for b in 0...a {
                normal[a * p + b] = normal[a * p + b] * scale + (a == b && a < d ? l2 : 0)
                normal[b * p + a] = normal[a * p + b]
            }
        }
        let theta = Cholesky.solve(normal, right, size: p)
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: p)
        for row in 0..<n {
            var prediction = theta[d]
            for j in 0..<d { prediction += x[row * d + j] * theta[j] }
            let residual = prediction - y[row]
            loss += residual * residual / 2
            for j in 0..<d { gradient[j] += residual * x[row * d + j] }
            gradient[d] += residual
        }
        var penalty = 0.0
        for j in 0..<d {
            penalty += theta[j] * theta[j]
            gradient[j] = gradient[j] * scale + l2 * theta[j]
        }
        gradient[d] *= scale
        let norm = gradient.map(abs).max() ?? 0
        return LinearFit(weights: [Array(theta[0..<d])], intercepts: [theta[d]],
                         report: ConvergenceReport(iterations: 1, converged: norm.isFinite, gradientNorm: norm,
                                                   objective: loss * scale + l2 / 2 * penalty))
    }

    /// Sums `body`'s contributions over the rows in 16 fixed blocks, run concurrently and
    /// added in block order: deterministic whatever the number of cores.
    static func blockSums(rows n: Int, size: Int, _ body: @Sendable (Range<Int>, inout UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        let blocks = n < 4096 ? 1 : 16
        var partial = [Double](repeating: 0, count: blocks * size)
        partial.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let all = buffer
            DispatchQueue.concurrentPerform(iterations: blocks) { block in
                let lower = n * block / blocks, upper = n * (block + 1) / blocks
                var slice = UnsafeMutableBufferPointer(rebasing: all[(block * size)..<((block + 1) * size)])
                body(lower..<upper, &slice)
            }
        }
        var total = [Double](repeating: 0, count: size)
        for block in 0..<blocks {
            for k in 0..<size { total[k] += partial[block * size + k] }
        }
        return total
    }

    /// Backtracking (Armijo) along a Newton step; halves the step until the objective
    /// decreases enough, and stops at a tiny step rather than going uphill.
    static func lineSearch(_ theta: [Double], _ step: [Double], _ gradient: [Double], _ value: Double,
                           _ objective: ([Double]) -> Double) -> ([Double], Double) {
        var slope = 0.0
        for k in step.indices { slope += step[k] * gradient[k] }
        var t = 1.0
        while t > 1e-10 {
            var candidate = theta
            for k in candidate.indices { candidate[k] += t * step[k] }
            let next = objective(candidate)
            if next.isFinite, next <= value + 1e-4 * t * slope { return (candidate, next) }
            t /= 2
        }
        return (theta, value)
    }
}
