"""Training word vectors: Word2Vec through gensim, GloVe in NumPy, and the counts GloVe needs."""
