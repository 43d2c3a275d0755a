// The plugin entry points of libSmearMME.so (see SmearAdapt/Plugins.swift).
import MMEMethod
import SmearAdapt

@_cdecl("smear_plugin_abi_version")
public func smearPluginABIVersion() -> Int32 { pluginABIVersion }

@_cdecl("smear_plugin_descriptor")
public func smearPluginDescriptor() -> UnsafeMutableRawPointer { Unmanaged.passRetained(MME.descriptor).toOpaque() }
