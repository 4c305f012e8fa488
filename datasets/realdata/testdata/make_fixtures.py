# Writes the tiny NumPy fixtures of the pickle and .npy reader tests with real NumPy (Debian's python3-numpy):
#   /usr/bin/python3 make_fixtures.py
# numpy_batch.pickle: a CIFAR-100-style batch dict pickled by Python 3 at protocol 2 (bytes keys, so bytes go
#   through _codecs.encode), data uint8 [2, 12] = 0..23, fine_labels [3, 97].
# numpy_data.npy: uint8 [2, 2, 2, 3] = 0..23.  numpy_labels.npy: int64 [-1, 7, 300].
# numpy_dict.npy: np.save(allow_pickle=True) of a dict {'images': uint8 [1, 32, 32, 3] = i % 251, 'labels': int64 [4]},
#   the layout of the paper code's cifar102_test.npy.
import pickle
import numpy as np

batch = {
    b'batch_label': b'training batch 1 of 1',
    b'fine_labels': [3, 97],
    b'coarse_labels': [1, 2],
    b'filenames': [b'a.png', b'b.png'],
    b'data': np.arange(24, dtype=np.uint8).reshape(2, 12),
}
with open('numpy_batch.pickle', 'wb') as f:
    pickle.dump(batch, f, protocol=2)
np.save('numpy_data.npy', np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3))
np.save('numpy_labels.npy', np.array([-1, 7, 300], dtype=np.int64))
d = {'images': (np.arange(32 * 32 * 3) % 251).astype(np.uint8).reshape(1, 32, 32, 3), 'labels': np.array([4])}
np.save('numpy_dict.npy', d, allow_pickle=True)
