/// Solves `A x = b` for a symmetric positive (semi-)definite `A` (row-major, `n × n`)
/// through a Cholesky factorisation. A matrix that is only semi-definite (collinear or
/// constant features, perfectly separable data without a penalty) gets a diagonal shift
/// that grows from 1e-12 of its largest diagonal entry until it factors, so the answer is
/// the minimum-norm-like regularised solution instead of NaNs.
enum Cholesky {
    static func solve(_ matrix: [Double], _ rhs: [Double], size n: Int) -> [Double] {
        let largest = (0..<n).map { matrix[$0 * n + $0] }.max() ?? 1
        var shift = 0.0
        while true {
            if let factor = factor(matrix, size: n, shift: shift) {
                return substitute(factor, rhs, size: n)
            }
            shift = shift == 0 ? max(largest, 1) * 1e-12 : shift * 10
        }
    }

    /// The lower-triangular `L` with `L Lᵀ = A + shift·I`, or nil if it is not positive definite.
    static func factor(_ a: [Double], size n: Int, shift: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = a[j * n + j] + shift
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            guard diagonal > 0, diagonal.isFinite else { return nil }
            let root = diagonal.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var value = a[i * n + j]
                for k in 0..<j { value -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = value / root
            }
        }
        return l
    }

    static func substitute(_ l: [Double], _ b: [Double], size n: Int) -> [Double] {
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<max(i + 1, n) { x[i] -= l[k * n + i] * x[k] }
            x[i] /= l[i * n + i]
        }
        return x
    }
}
