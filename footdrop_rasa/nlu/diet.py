"""Rasa's DIETClassifier, trained as Rasa trains it, loaded and asked faster.

Two costs of Rasa 3.6's DIET that this project's server paid for nothing (docs/PERFORMANCE.md):

- **Loading.** ``RasaModel.load`` builds the network by running one training step on one
  example (``model.fit``), then overwrites every weight from the model file. On two cores that
  step, with the tracing of TensorFlow's training function, was about a third of the server's
  start. Here the network is built by the one prediction Rasa runs after loading anyway, and
  the weights come from the file as each layer is created (TensorFlow restores a checkpoint
  into variables made after ``load_weights``). The loader checks that every weight the
  prediction uses was in the file; only the optimizer's state, which prediction never uses,
  stays out. The prediction is traced without AutoGraph, which rewrote the Python source of
  DIET's layers at every start (3-4 s) for code that branches on options, never on tensors.
  Model loading: 8.7-9.0 s with Rasa's loader, 5.1-5.6 s here. Fine-tuning
  (``rasa train --finetune``) loads the way Rasa does.
- **Asking.** Each message went through ``tf.function``'s dispatch (matching the inputs against
  the traced signatures), about 2 ms of a ~20 ms reply. The function has one fixed input
  signature (Rasa gives it one), so here its one traced graph (``get_concrete_function``) is
  called directly, with the same inputs and the same outputs.

Training, the model file, the options and every prediction are DIETClassifier's:
tests/system/test_diet.py compares this classifier's intents and confidences with Rasa's loader on
every held-out message.

Both rely on Rasa 3.6.21's private code (``_load_model_class``, ``_tf_predict_step``): on
another Rasa release the start stops with an error saying so (footdrop_rasa/rasa_version.py).
``quick: false`` makes this component DIETClassifier itself, loaded and asked as Rasa does.

config.yml::

    - name: footdrop_rasa.nlu.diet.QuickDIETClassifier
      epochs: ...   # DIETClassifier's options
      quick: true   # false: Rasa's own loading and asking
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Text

import tensorflow as tf
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.extractors.extractor import EntityTagSpec
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from footdrop_rasa.rasa_version import require_tested_rasa

#: the option that switches this component back to DIETClassifier's own loading and asking
QUICK = "quick"


def call_traced_graph(model: RasaModel) -> None:
    """Route the model's predictions to its traced graph, past ``tf.function``'s dispatch.
    Needs one prediction done (Rasa makes the function with a fixed input signature then)."""
    function = model._tf_predict_step
    if function is None or model._run_eagerly:
        return
    graph = function.get_concrete_function()  # the one graph the fixed signature allows
    model._tf_predict_step = lambda batch_in: graph([tf.convert_to_tensor(x) for x in batch_in])


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class QuickDIETClassifier(DIETClassifier):
    """DIETClassifier that loads without a training step and predicts through its traced graph."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DIETClassifier.get_default_config(), QUICK: True}

    @classmethod
    def _load_model_class(
        cls,
        tf_model_file: Text,
        model_data_example: RasaModelData,
        label_data: RasaModelData,
        entity_tag_specs: List[EntityTagSpec],
        config: Dict[Text, Any],
        finetune_mode: bool,
    ) -> RasaModel:
        # Fine-tuning goes on training: the optimizer's state must be loaded too, as Rasa does.
        if finetune_mode or not config.get(QUICK, True):
            return super()._load_model_class(tf_model_file, model_data_example, label_data,
                                             entity_tag_specs, config, finetune_mode)
        require_tested_rasa("QuickDIETClassifier (footdrop_rasa/nlu/diet.py)",
                            "DIETClassifier._load_model_class, RasaModel._tf_predict_step",
                            "set `quick: false` under it in config.yml and train again")
        # As Rasa's loader: the network, and an example of the text features it predicts from.
        model = cls.model_class()(
            data_signature=model_data_example.get_signature(),
            label_data=label_data,
            entity_tag_specs=entity_tag_specs,
            config=copy.deepcopy(config),
        )
        model.compile(optimizer=tf.keras.optimizers.Adam(config[LEARNING_RATE]), run_eagerly=config[RUN_EAGERLY])
        predict_data_example = RasaModelData(
            label_key=model_data_example.label_key,
            data={name: features for name, features in model_data_example.items() if TEXT in name},
        )
        # Traced as written: DIET's prediction code branches on options, never on tensors, so
        # AutoGraph's rewriting of its Python source (seconds at every start) changes nothing.
        model.predict_step = tf.autograph.experimental.do_not_convert(model.predict_step)
        # The weights wait in `restored` and go into each layer as the prediction creates it.
        restored = model.load_weights(tf_model_file)
        model.run_inference(predict_data_example)
        restored.assert_existing_objects_matched()  # every weight made so far came from the file
        restored.expect_partial()  # the optimizer's state (training only) stays in the file
        call_traced_graph(model)
        return model
