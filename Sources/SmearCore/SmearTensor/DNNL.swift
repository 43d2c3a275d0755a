// oneDNN primitives, cached per geometry. The only file that imports CDNNL.
//
// N batch, C channels, O output channels, H×W input. Activations are NHWC (channels-last storage),
// convolution weights OHWI (a channels-last weight). Creating a primitive JIT-compiles its kernel
// (milliseconds), so each geometry is made once and kept for the life of the process; buffers the
// kernels write for their backward pass (workspaces) come from smear's buffer pool.
import CDNNL
import Foundation

public enum DNNL {
    /// oneDNN's version, e.g. "2.6.3".
    public static var version: String { String(cString: smear_dnnl_version()) }
    /// Threads oneDNN's parallel regions use (set from `Parallel.threads` on first use).
    public static var threads: Int { configure; return Int(smear_dnnl_threads()) }

    private static let configure: Void = { smear_dnnl_set_threads(Int32(Parallel.threads)) }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var convolutions: [ConvKey: OpaquePointer] = [:]
    nonisolated(unsafe) private static var norms: [[Int]: OpaquePointer] = [:]
    nonisolated(unsafe) private static var pools: [[Int]: OpaquePointer] = [:]
    nonisolated(unsafe) private static var depthwiseConvolutions: [[Int]: OpaquePointer] = [:]

    struct ConvKey: Hashable { var geometry: Conv2dGeometry; var bias, training: Bool; var activation: Activation; var sum: Bool }

    /// The cached primitive for `key`, made by `make` on first use. Stops with oneDNN's message when a
    /// primitive cannot be made (an unsupported geometry: a programmer error, like a shape mismatch).
    private static func cached<K: Hashable>(_ table: inout [K: OpaquePointer], _ key: K, _ what: String,
                                            _ make: (UnsafeMutablePointer<CChar>) -> OpaquePointer?) -> OpaquePointer {
        configure
        lock.lock(); defer { lock.unlock() }
        if let p = table[key] { return p }
        var message = [CChar](repeating: 0, count: 256)
        guard let p = message.withUnsafeMutableBufferPointer({ make($0.baseAddress!) }) else {
            fatalError("\(what): \(String(cString: message)) (set SMEAR_BACKEND=blas to use the reference kernels)")
        }
        table[key] = p
        return p
    }

    private static func check(_ status: Int32, _ what: String) {
        require(status == 0, "oneDNN \(what) failed with status \(status) (set SMEAR_BACKEND=blas to use the reference kernels)")
    }

    // MARK: convolution

    /// `activation` (a post-op) only for inference objects.
    static func convolution(_ g: Conv2dGeometry, bias: Bool, training: Bool, activation: Activation = .identity,
                            sum: Bool = false) -> OpaquePointer {
        let key = ConvKey(geometry: g, bias: bias, training: training, activation: activation, sum: sum)
        return cached(&convolutions, key, "conv2d \(g)") { err in
            let geo = smear_conv_geometry(n: Int64(g.n), c: Int64(g.c), h: Int64(g.h), w: Int64(g.w), o: Int64(g.o),
                                          kh: Int64(g.kh), kw: Int64(g.kw), stride: Int64(g.stride), padding: Int64(g.padding))
            return smear_dnnl_conv_create(geo, bias ? 1 : 0, training ? 1 : 0, activation.rawValue, sum ? 1 : 0, err, 256)
        }
    }

    /// out (NHWC [N, OH, OW, O]) = activation(conv(x, w) (+ bias)); with `sum`, out's previous values are added
    /// before the activation.
    static func convForward(_ conv: OpaquePointer, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                            bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        check(smear_dnnl_conv_forward(conv, x, w, bias, out), "convolution forward")
    }

    /// dx (NHWC) when `dx` is given; dw (OHWI) and dbias when `dw` is given.
    static func convBackward(_ conv: OpaquePointer, x: UnsafePointer<Float>, g: UnsafePointer<Float>, w: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?) {
        check(smear_dnnl_conv_backward(conv, x, g, w, dx, dw, dbias), "convolution backward")
    }

    /// The kernels oneDNN picked for a geometry (forward, backward data, backward weights), for profiles.
    public static func convolutionKernels(n: Int, c: Int, h: Int, w: Int, o: Int, kernel: Int, stride: Int,
                                          padding: Int) -> [String] {
        let conv = convolution(Conv2dGeometry(n: n, c: c, h: h, w: w, o: o, kh: kernel, kw: kernel, stride: stride,
                                              padding: padding), bias: false, training: true)
        let scratch = [Float](repeating: 0, count: max(n * c * h * w, n * o * h * w, o * c * kernel * kernel) + 64)
        var sink = scratch
        // Run the backward once so that its primitives exist and can name their kernels.
        scratch.withUnsafeBufferPointer { s in sink.withUnsafeMutableBufferPointer { d in
            convBackward(conv, x: s.baseAddress!, g: s.baseAddress!, w: s.baseAddress!, dx: d.baseAddress!, dw: d.baseAddress!, dbias: nil)
        } }
        return (0..<3).map { String(cString: smear_dnnl_conv_impl(conv, Int32($0))) }
    }

    // MARK: depthwise convolution

    /// The depthwise primitive for input [n, c, h, w], a kh × kw kernel, `stride` and `padding`; `activation` (a
    /// post-op) only for inference objects.
    static func depthwise(n: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int, padding: Padding2d, bias: Bool,
                          training: Bool, activation: Activation = .identity) -> OpaquePointer {
        let key = [n, c, h, w, kh, kw, stride, padding.top, padding.bottom, padding.left, padding.right, bias ? 1 : 0, training ? 1 : 0,
                   Int(activation.rawValue)]
        return cached(&depthwiseConvolutions, key, "depthwiseConv2d [\(n), \(c), \(h), \(w)] kernel \(kh)×\(kw)") { err in
            let g = smear_depthwise_geometry(n: Int64(n), c: Int64(c), h: Int64(h), w: Int64(w), kh: Int64(kh), kw: Int64(kw), stride: Int64(stride),
                                             top: Int64(padding.top), bottom: Int64(padding.bottom), left: Int64(padding.left),
                                             right: Int64(padding.right))
            return smear_dnnl_depthwise_create(g, bias ? 1 : 0, training ? 1 : 0, activation.rawValue, err, 256)
        }
    }

    /// out (NHWC) = depthwise(x (NHWC), taps [KH, KW, C]) (+ bias).
    static func depthwiseForward(_ d: OpaquePointer, x: UnsafePointer<Float>, taps: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                 out: UnsafeMutablePointer<Float>) {
        check(smear_dnnl_depthwise_forward(d, x, taps, bias, out), "depthwise convolution forward")
    }

    /// dx (NHWC) when given; dTaps ([KH, KW, C]) and dBias when dTaps is given.
    static func depthwiseBackward(_ d: OpaquePointer, x: UnsafePointer<Float>, g: UnsafePointer<Float>, taps: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>?, dTaps: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        check(smear_dnnl_depthwise_backward(d, x, g, taps, dx, dTaps, dBias), "depthwise convolution backward")
    }

    /// The kernels oneDNN picked for a depthwise geometry (forward, backward data, backward weights), for profiles.
    public static func depthwiseKernels(n: Int, c: Int, h: Int, w: Int, kernel: Int, stride: Int) -> [String] {
        let p = Padding2d.same(height: h, width: w, kernel: kernel, stride: stride)
        let d = depthwise(n: n, c: c, h: h, w: w, kh: kernel, kw: kernel, stride: stride, padding: p, bias: false, training: true)
        let scratch = [Float](repeating: 0, count: n * c * h * w + c * kernel * kernel + 64)
        var sink = scratch
        scratch.withUnsafeBufferPointer { s in sink.withUnsafeMutableBufferPointer { o in
            depthwiseBackward(d, x: s.baseAddress!, g: s.baseAddress!, taps: s.baseAddress!, dx: o.baseAddress!, dTaps: o.baseAddress!, dBias: nil)
        } }
        return (0..<3).map { String(cString: smear_dnnl_depthwise_impl(d, Int32($0))) }
    }

    // MARK: batch normalisation

    /// Inference batch norm (the running statistics), ReLU fused when asked.
    static func batchNorm(n: Int, c: Int, h: Int, w: Int, eps: Float, relu: Bool) -> OpaquePointer {
        let key = [n, c, h, w, Int(eps.bitPattern), relu ? 1 : 0]
        return cached(&norms, key, "batchNorm [\(n), \(c), \(h), \(w)]") { err in
            smear_dnnl_bnorm_create(Int64(n), Int64(c), Int64(h), Int64(w), eps, relu ? 1 : 0, err, 256)
        }
    }

    static func batchNormForward(_ bn: OpaquePointer, x: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                 shift: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                 out: UnsafeMutablePointer<Float>) {
        check(smear_dnnl_bnorm_forward(bn, x, scale, shift, mean, variance, out), "batch norm forward")
    }

    /// Workspace storage for a primitive's backward pass (nil when it needs none).
    static func workspace(bytes: Int) -> Storage? { bytes == 0 ? nil : Storage(uninitialized: (bytes + 3) / 4) }

    // MARK: max pooling

    static func maxPool(n: Int, c: Int, h: Int, w: Int, kernel: Int, stride: Int, padding: Int, training: Bool) -> OpaquePointer {
        let key = [n, c, h, w, kernel, stride, padding, training ? 1 : 0]
        return cached(&pools, key, "maxPool2d [\(n), \(c), \(h), \(w)]") { err in
            smear_dnnl_maxpool_create(Int64(n), Int64(c), Int64(h), Int64(w), Int64(kernel), Int64(stride),
                                      Int64(padding), training ? 1 : 0, err, 256)
        }
    }

    static func maxPoolWorkspace(_ pool: OpaquePointer) -> Storage? { workspace(bytes: smear_dnnl_pool_workspace_size(pool)) }

    static func maxPoolForward(_ pool: OpaquePointer, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, workspace: Storage?) {
        check(smear_dnnl_pool_forward(pool, x, out, workspace?.pointer), "max pooling forward")
    }

    static func maxPoolBackward(_ pool: OpaquePointer, g: UnsafePointer<Float>, workspace: Storage?, dx: UnsafeMutablePointer<Float>) {
        check(smear_dnnl_pool_backward(pool, g, workspace?.pointer, dx), "max pooling backward")
    }
}
