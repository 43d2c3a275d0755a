import SmearTensor
let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
print(x.softmax())
