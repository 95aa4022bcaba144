extension Double {
    /// The number as a person wrote it: `99`, not `99.0`.
    var manifestText: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return String(self)
    }
}
